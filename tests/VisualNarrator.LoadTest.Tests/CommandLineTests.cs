namespace VisualNarrator.LoadTest.Tests;

/// <summary>Bad input exits 2 with one line that names the option, as <c>narrator</c> and <c>convert</c> do.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("give --model PATH", "load")]
    [InlineData("give --model PATH", "hostile", "--requests", "5")]
    [InlineData("--clients expects client counts from 1 to 256", "load", "--model", "m.gguf", "--clients", "1,0")]
    [InlineData("--clients expects client counts from 1 to 256", "load", "--model", "m.gguf", "--clients", "1,,4")]
    [InlineData("--requests must be from 1 to 1000, got 1001", "load", "--model", "m.gguf", "--requests", "1001")]
    [InlineData("--requests expects a whole number", "load", "--model", "m.gguf", "--requests", "many")]
    [InlineData("--max-tokens must be 1 or more, got 0", "load", "--model", "m.gguf", "--max-tokens", "0")]
    [InlineData("--max-sequences must be 1 or more, got 0", "load", "--model", "m.gguf", "--max-sequences", "0")]
    [InlineData("--threads must be 0 or more, got -2", "load", "--model", "m.gguf", "--threads", "-2")]
    [InlineData("--requests must be from 1 to 100000, got 0", "hostile", "--model", "m.gguf", "--requests", "0")]
    [InlineData("--seed expects a whole number", "hostile", "--model", "m.gguf", "--seed", "x")]
    [InlineData("--url expects an absolute http:// or https:// address", "hostile", "--url", "localhost:5080")]
    [InlineData("unknown option '--clients'", "hostile", "--model", "m.gguf", "--clients", "1")]
    [InlineData("unknown command 'serve'", "serve")]
    public async Task Bad_input_exits_2_with_one_line_naming_it(string expected, params string[] args)
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("loadtest: ", line);
        Assert.Contains(expected, line);
    }
}
