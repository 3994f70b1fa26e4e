using VisualNarrator.Cli.Commands;
using VisualNarrator.CommandLine;
using VisualNarrator.Engine.Inference;
using VisualNarrator.Engine.Serving;
using VisualNarrator.Testing;

namespace VisualNarrator.Cli.Tests;

/// <summary>Which exceptions mean bad input (exit 2) and which a bug (exit 1): only the typed input exceptions and the
/// file and format ones are the user's; an <see cref="ArgumentException"/> or <see cref="InvalidOperationException"/>
/// that escapes a command is the tool's own fault.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ErrorMappingTests(TestModels models) : IClassFixture<TestModels>
{
    private string Model => models.Get("opt", TestModels.TinyOpt);

    public static TheoryData<Exception, int> Mapping => new()
    {
        { new UsageException("--steps must be >= 0, got -1"), 2 },
        { new NarrationRejectedException("TopP", "TopP = 0 is out of range; allowed: (0, 1]."), 2 },
        { new InvalidSettingException("--device", "No ggml device 'nope'. Available: CPU."), 2 },
        { new FileNotFoundException("/x/m.gguf: no such model file"), 2 },
        { new InvalidDataException("/x/set.jsonl:3: not valid JSON"), 2 },
        { new ArgumentException("Value cannot be null.", "hp"), 1 },
        { new ArgumentOutOfRangeException("cells", -1, "must be positive"), 1 },
        { new InvalidOperationException("ggml could not initialize a backend"), 1 },
    };

    [Theory]
    [MemberData(nameof(Mapping))]
    public void Exceptions_MapToTheContractsExitCodes(Exception exception, int expected)
    {
        var (code, line) = Report(exception);
        Assert.Equal(expected, code);
        if (expected == 2) Assert.Equal($"narrator: {exception.Message}", line);
        else Assert.StartsWith("narrator: internal error: ", line);
    }

    [Fact]
    public void NarrationRejected_IsNoArgumentException_SoNothingReadsParamName()
    {
        var e = new NarrationRejectedException("StopStrings", "StopStrings[0] is empty; every stop string must be non-empty.");
        Assert.IsNotAssignableFrom<ArgumentException>(e);
        Assert.Equal("StopStrings", e.Field);
        Assert.Equal(e.Reason, e.Message);
    }

    public static TheoryData<string, string> Settings => new()
    {
        { "describe --model {M} --threads -1 x", "--threads must be 0 (automatic) or more, got -1" },
        { "describe --model {M} --device nope x", "No ggml device 'nope'" },
        { "describe --model {M} --gpu-layers lots x", "--gpu-layers must be a layer count" },
        { "describe --model {M} --gpu-layers 1 x", "needs a GPU --device" },
        { "describe --model {M} --context -5 x", "the context size must be positive, got -5" },
        { "describe --model {M} --preset nope x", "--preset must be one of" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void RefusedEngineSettings_ExitTwoWithOneLine(string commandLine, string expected)
    {
        var args = commandLine.Split(' ').Select(a => a.Replace("{M}", Model)).ToArray();
        ExitCodeContractTests.AssertContract(InProcessNarrator.Run(args), 2, expected, commandLine);
    }

    private static (int Code, string Line) Report(Exception exception)
    {
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        int code;
        try
        {
            code = CliErrorPolicy.Report(UserInputError.Tool, exception, UserInputError.IsInputError);
        }
        finally
        {
            Console.SetError(old);
        }
        return (code, Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
