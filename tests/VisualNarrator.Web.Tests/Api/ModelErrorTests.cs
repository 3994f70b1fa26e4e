using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VisualNarrator.Gguf;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Api;

/// <summary>The default model is a real copy of the tiny model whose norm weights are NaN (written with the project's
/// own GGUF writer): it loads, then computes NaN logits.</summary>
public sealed class CorruptModelAppFixture : NarratorAppFixture
{
    protected override void PrepareModels(ModelFolder models)
    {
        var path = Path.Combine(models.Folder, "narrator.gguf");
        var copy = path + ".source";
        File.Move(path, copy);
        var file = GgufFile.Open(copy);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata) writer.Set(key, value);
        foreach (var t in file.Tensors)
        {
            if (t.Type == GgmlType.F32 && t.Shape.Length == 1) writer.AddTensor(t.Name, Enumerable.Repeat(float.NaN, (int)t.Shape[0]).ToArray(), t.Shape);
            else writer.AddTensor(t.Name, t.Type, t.Shape, s => file.CopyTensorData(t, s));
        }
        writer.WriteTo(path);
        File.Delete(copy);
    }
}

public sealed class ModelErrorTests(CorruptModelAppFixture app) : IClassFixture<CorruptModelAppFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Error(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

    [Fact]
    public async Task A_model_computing_NaN_is_a_500_model_error_and_unhealthy_until_another_model_loads()
    {
        using var client = app.CreateClient();
        // Streamed: the failure comes before the first token, so it is a proper status, not a 200 stream.
        using var streamed = await client.PostAsync("/v1/completions", Json("""{"prompt":"a beach","max_tokens":4,"stream":true}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, streamed.StatusCode);
        var error = await Error(streamed);
        Assert.Equal("model_error", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Contains("NaN", error.GetProperty("message").GetString());
        Assert.DoesNotContain(app.Models.Folder, error.GetProperty("message").GetString());

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("model_error", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("unhealthy", body.GetProperty("message").GetString());

        // Later requests are refused as the model's fault, not the client's.
        using var chat = await client.PostAsync("/v1/chat/completions", Json("""{"messages":[{"role":"user","content":"a beach"}],"max_tokens":4}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, chat.StatusCode);
        Assert.Equal("model_error", (await Error(chat)).GetProperty("code").GetString());

        await app.Services.GetRequiredService<INarrator>().SwitchModelAsync("other.gguf");
        using var healthy = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        using var ok = await client.PostAsync("/v1/completions", Json("""{"prompt":"a beach","max_tokens":2}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
