namespace VisualNarrator.Engine.Inference;

/// <summary>
/// A setting the engine refuses: an unknown device, more GPU layers than the model has, a context too big for the
/// machine or the device plan, an unknown quantization type or model shape. These come from the user (command line,
/// server options), so tools report them as input errors; an <see cref="ArgumentException"/> from the engine is a bug.
/// </summary>
/// <param name="setting">The setting as the user gives it, e.g. <c>--device</c>.</param>
/// <param name="reason">What is wrong and what is allowed; it names the setting.</param>
public sealed class InvalidSettingException(string setting, string reason) : Exception(reason)
{
    /// <summary>The setting at fault, e.g. <c>--gpu-layers</c>.</summary>
    public string Setting { get; } = setting;
}
