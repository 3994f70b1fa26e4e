namespace VisualNarrator.Web.Services;

/// <summary>Exception text for people.</summary>
public static class Messages
{
    /// <summary>The message without the " (Parameter 'X')" suffix that <see cref="ArgumentException"/> appends.</summary>
    public static string Of(Exception ex) =>
        ex is ArgumentException { ParamName: { } p } ? ex.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : ex.Message;
}
