namespace VisualNarrator.Engine.Native;

/// <summary>Severity of a log line coming from llama.cpp or ggml (same order as ggml's <c>ggml_log_level</c>).</summary>
public enum GgmlLogLevel
{
    /// <summary>Debug chatter.</summary>
    Debug = 1,

    /// <summary>Informational, e.g. library loading and backend setup.</summary>
    Info = 2,

    /// <summary>Something unexpected that did not stop the work.</summary>
    Warning = 3,

    /// <summary>A failure.</summary>
    Error = 4,

    /// <summary>Nothing passes this level; use as <see cref="GgmlLibrary.MinimumLogLevel"/> to silence native logs.</summary>
    None = 100,
}
