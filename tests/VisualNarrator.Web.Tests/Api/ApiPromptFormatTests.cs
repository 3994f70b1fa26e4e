using System.Text.Json;
using VisualNarrator.Engine.Generation;
using VisualNarrator.Web.Api;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>The chat endpoint puts a bare scene into the loaded model's own prompt template.</summary>
public sealed class ApiPromptFormatTests
{
    private static JsonElement Chat(string content) =>
        JsonDocument.Parse(JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content } } })).RootElement.Clone();

    [Fact]
    public void A_chat_message_uses_the_models_default_template()
    {
        var format = new PromptFormat(new Dictionary<string, string> { ["narrate"] = "Narrate: {scene}" }, "narrate", true);
        Assert.Equal("Narrate: a red barn", ApiRequest.Parse(Chat("a red barn"), chat: true, format).Prompt);
        Assert.Equal("Narrate: a red barn", ApiRequest.Parse(Chat("Narrate: a red barn"), chat: true, format).Prompt);
    }

    [Fact]
    public void Without_a_model_format_the_seeds_describe_template_applies() =>
        Assert.Equal("Describe this image: a red barn", ApiRequest.Parse(Chat("a red barn"), chat: true).Prompt);
}
