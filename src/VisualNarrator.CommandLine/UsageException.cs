namespace VisualNarrator.CommandLine;

/// <summary>A command-line value the tool refuses (out of range, contradicting another option, a folder where a file
/// is needed, ...): exit code 2 with the message as the one stderr line. Commands throw this, not
/// <see cref="ArgumentException"/>, which <see cref="CliErrorPolicy"/> reports as the bug it is.</summary>
/// <param name="message">What is wrong, naming the option or argument.</param>
public sealed class UsageException(string message) : Exception(message);
