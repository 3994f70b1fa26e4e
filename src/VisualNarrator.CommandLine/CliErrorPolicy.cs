using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace VisualNarrator.CommandLine;

/// <summary>
/// The exit-code contract every command-line tool of the project follows: success 0; anything wrong with the input
/// (parse errors, unknown options, values out of range (<see cref="UsageException"/>), missing or unreadable files, I/O
/// failures, out of memory, a model that computes garbage) exit 2 with ONE line on stderr naming the argument, file or key, never a stack trace,
/// help text or .NET type name; Ctrl+C / SIGTERM exit 130 / 143; a genuine internal bug exits 1 with a short message
/// and a hint (the stack trace only when <c>VN_TRACE=1</c>).
/// </summary>
public static partial class CliErrorPolicy
{
    /// <summary>A bug in the tool itself.</summary>
    public const int InternalError = 1;
    /// <summary>Malformed or missing input, or a fault of the model file.</summary>
    public const int InputError = 2;
    /// <summary>Interrupted by Ctrl+C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Environment variable that adds the stack trace to internal errors.</summary>
    public const string TraceVariable = "VN_TRACE";

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command under the
    /// contract. <paramref name="isInputError"/> names the tool's own exception types that mean bad input (the common
    /// .NET ones are already covered).</summary>
    public static int Run(string tool, RootCommand root, string[] args, Func<Exception, bool>? isInputError = null)
    {
        Interruption.Install(tool);
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Internal(tool, ex);
        }
        if (parse.Action is not HelpAction)
        {
            if (UnknownOptionTakenAsArgument(parse, args) is { } unknown)
            {
                Console.Error.WriteLine($"{tool}: unknown option '{TerminalText.Escape(unknown)}'; run '{tool} {parse.CommandResult.Command.Name} --help' " +
                                        "for the options (put '--' before a scene or prompt that starts with '-')");
                return InputError;
            }
            if (parse.Errors.Count > 0)
            {
                var first = parse.Errors.OrderBy(e => UnrecognizedPattern().IsMatch(e.Message) ? 0 : IsConversionError(e.Message) ? 1 : 2).First();
                Console.Error.WriteLine($"{tool}: {Describe(first, tool)}");
                return InputError;
            }
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            return Report(tool, ex, isInputError);
        }
    }

    /// <summary>Maps an exception thrown by a command body to the contract's exit code and one stderr line.</summary>
    public static int Report(string tool, Exception ex, Func<Exception, bool>? isInputError = null)
    {
        ex = Unwrap(ex);
        if (ex is OperationCanceledException)
        {
            Console.Error.WriteLine($"{tool}: interrupted; no partial output was left behind");
            return Interrupted;
        }
        if (ex is OutOfMemoryException or InsufficientMemoryException)
        {
            Console.Error.WriteLine($"{tool}: out of memory: the input asks for more than this machine has ({OneLine(ex.Message)})");
            return InputError;
        }
        if (IsCommonInputError(ex) || isInputError?.Invoke(ex) == true)
        {
            Console.Error.WriteLine($"{tool}: {Message(ex)}");
            return InputError;
        }
        return Internal(tool, ex);
    }

    /// <summary>The one-line, terminal-safe message of an input error.</summary>
    public static string Message(Exception ex) => OneLine(ex.Message);

    private static int Internal(string tool, Exception ex)
    {
        Console.Error.WriteLine($"{tool}: internal error: {OneLine(ex.Message)} (this is a bug in {tool}, not in your input; " +
                                $"please report it with the command line; {TraceVariable}=1 shows where it happened)");
        if (Environment.GetEnvironmentVariable(TraceVariable) == "1") Console.Error.WriteLine(TerminalText.Escape(ex.ToString(), keepNewlines: true));
        return InternalError;
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && ex.InnerException is { } inner)
            ex = inner;
        return ex;
    }

    /// <summary>The input errors every tool shares. <see cref="ArgumentException"/> is not one: a command refuses a
    /// value with <see cref="UsageException"/>, so an argument error that escapes is a bug and exits 1.</summary>
    private static bool IsCommonInputError(Exception ex) => ex is UsageException or IOException or UnauthorizedAccessException
        or FormatException or InvalidDataException or NotSupportedException or System.Text.Json.JsonException
        or InsufficientExecutionStackException or OverflowException;

    private static string OneLine(string s) => TerminalText.Escape(s.ReplaceLineEndings(" ").Trim());

    /// <summary>One line for a parse error: which option or argument, what it expects, what it got.</summary>
    public static string Describe(ParseError error, string tool)
    {
        switch (error.SymbolResult)
        {
            case OptionResult o when o.Tokens.Count > 0 && IsConversionError(error.Message):
                return $"{o.IdentifierToken?.Value ?? o.Option.Name} expects {Expected(o.Option.ValueType)}, got '{TerminalText.Escape(o.Tokens[^1].Value)}'";
            case ArgumentResult a when a.Tokens.Count > 0 && IsConversionError(error.Message):
                var owner = a.Parent is OptionResult po ? po.IdentifierToken?.Value ?? po.Option.Name : a.Argument.Name;
                return $"{owner} expects {Expected(a.Argument.ValueType)}, got '{TerminalText.Escape(a.Tokens[^1].Value)}'";
        }
        var message = error.Message;
        var unrecognized = UnrecognizedPattern().Match(message);
        if (unrecognized.Success)
        {
            var token = unrecognized.Groups[1].Value;
            if (error.SymbolResult is CommandResult { Command: RootCommand })
                return $"unknown command '{TerminalText.Escape(token)}'; run '{tool} --help' for the list";
            return token.StartsWith('-')
                ? $"unknown option '{TerminalText.Escape(token)}'; run '{tool} {CommandPath(error)}--help' for the options"
                : $"unexpected argument '{TerminalText.Escape(token)}'; run '{tool} {CommandPath(error)}--help' for the usage";
        }
        var missingValue = MissingValuePattern().Match(message);
        if (missingValue.Success)
            return $"{missingValue.Groups[1].Value} needs a value";
        if (message.StartsWith("Required argument missing for command", StringComparison.Ordinal))
            return $"an argument is missing; run '{tool} {CommandPath(error)}--help' for the usage";
        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"no command given; run '{tool} --help' for the list";
        // Any other message of the parser, without .NET type names.
        return OneLine(TypeNamePattern().Replace(message, m => Expected(Type.GetType(m.Groups[1].Value))));
    }

    /// <summary>System.CommandLine binds an unknown "--foo" to a command's positional argument (the scene) when one is
    /// free; a value that looks like an option and comes before any "--" is treated as the unknown option it is.</summary>
    private static string? UnknownOptionTakenAsArgument(ParseResult parse, string[] args)
    {
        var dashes = Array.IndexOf(args, "--");
        var beforeDashes = dashes < 0 ? args : args[..dashes];
        foreach (var child in parse.CommandResult.Children)
        {
            if (child is not ArgumentResult argument) continue;
            foreach (var token in argument.Tokens)
            {
                var v = token.Value;
                if (v.Length > 1 && v[0] == '-' && v != "-" && !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    && beforeDashes.Contains(v))
                    return v;
            }
        }
        return null;
    }

    private static string CommandPath(ParseError error)
    {
        var names = new List<string>();
        for (var r = error.SymbolResult; r is not null; r = r.Parent)
            if (r is CommandResult c && c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }

    private static bool IsConversionError(string message) => message.StartsWith("Cannot parse argument", StringComparison.Ordinal);

    /// <summary>What a value of this type looks like, in words.</summary>
    private static string Expected(Type? type)
    {
        type = Nullable.GetUnderlyingType(type ?? typeof(string)) ?? type ?? typeof(string);
        if (type.IsArray) type = type.GetElementType()!;
        return type switch
        {
            _ when type == typeof(int) => string.Create(CultureInfo.InvariantCulture, $"a whole number from {int.MinValue} to {int.MaxValue}"),
            _ when type == typeof(uint) => string.Create(CultureInfo.InvariantCulture, $"a whole number from 0 to {uint.MaxValue}"),
            _ when type == typeof(long) => "a whole number",
            _ when type == typeof(float) || type == typeof(double) => "a number such as 0.7",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(FileInfo) => "a file path",
            _ when type == typeof(DirectoryInfo) => "a folder path",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
            _ => "a value",
        };
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex UnrecognizedPattern();

    [GeneratedRegex(@"^Required argument missing for option: '(.*)'\.?$")]
    private static partial Regex MissingValuePattern();

    [GeneratedRegex(@"'(System\.[^']*)'")]
    private static partial Regex TypeNamePattern();
}
