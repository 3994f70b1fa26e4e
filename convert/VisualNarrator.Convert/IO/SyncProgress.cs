namespace VisualNarrator.Convert.IO;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (unlike
/// <see cref="Progress{T}"/>, which posts to the thread pool when there is no synchronisation context).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
