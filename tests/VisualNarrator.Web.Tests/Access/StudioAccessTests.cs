using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Access;
using VisualNarrator.Web.Services;
using VisualNarrator.Web.Tests.Support;

namespace VisualNarrator.Web.Tests.Access;

/// <summary>With a key, every route but a bare /health needs it: pages redirect to sign-in, the Blazor hub, static files
/// and the API answer 401; signing in with the key sets a cookie that opens the studio.</summary>
public sealed partial class StudioAccessTests(ApiKeyAppFixture app) : IClassFixture<ApiKeyAppFixture>
{
    private HttpClient Browser(CookieContainer? cookies = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = app.BaseAddress,
        };
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    private static async Task<HttpResponseMessage> SignIn(HttpClient client, string key, string returnUrl = "/")
    {
        var form = await client.GetStringAsync("/signin");
        var token = Token().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);
        return await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token,
        }));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/compare")]
    [InlineData("/no-such-page")]
    public async Task Pages_redirect_to_sign_in_without_the_key(string path)
    {
        using var client = Browser();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/signin?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("POST", "/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("GET", "/_blazor")]
    [InlineData("GET", "/_framework/blazor.web.js")]
    [InlineData("GET", "/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("GET", "/v1/models")]
    [InlineData("POST", "/v1/completions")]
    [InlineData("GET", "/v1/no-such-route")]
    public async Task The_hub_static_files_and_the_api_answer_401_without_the_key(string method, string path)
    {
        using var client = Browser();
        client.DefaultRequestHeaders.Accept.Clear();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Every_mapped_route_but_health_and_sign_in_needs_the_key()
    {
        // Taken from the app's own routing table, so routes added later are covered too.
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 5);
        var checkedRoutes = 0;
        foreach (var endpoint in endpoints)
        {
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart { IsCatchAll: true } => "x/y.css",
                _ => "1",
            }))));
            if (path is "/health" or "/signin") continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["GET", "POST"];
            foreach (var method in methods)
            {
                foreach (var html in new[] { false, true })
                {
                    using var client = Browser();
                    if (!html) client.DefaultRequestHeaders.Accept.Clear();
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    using var response = await client.SendAsync(request);
                    var redirectedToSignIn = response.StatusCode == HttpStatusCode.Redirect
                                             && response.Headers.Location!.OriginalString.StartsWith("/signin?", StringComparison.Ordinal);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized || (html && redirectedToSignIn),
                        $"{method} {path} (html: {html}) answered {(int)response.StatusCode} without the key");
                    checkedRoutes++;
                }
            }
        }
        Assert.True(checkedRoutes > 10, $"{checkedRoutes} routes checked");
    }

    [Fact]
    public async Task Health_without_the_key_is_a_bare_status()
    {
        using var client = Browser();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.False(json.TryGetProperty("model", out _));
        Assert.False(json.TryGetProperty("message", out _));
        Assert.DoesNotContain("narrator.gguf", body);
        Assert.DoesNotContain(app.Models.Folder, body);
    }

    [Fact]
    public async Task Signing_in_with_the_key_opens_pages_the_hub_and_the_api()
    {
        var cookies = new CookieContainer();
        using var client = Browser(cookies);
        using var wrong = await SignIn(client, "sk-test-12");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("That key is not right", await wrong.Content.ReadAsStringAsync());
        using (var still = await client.GetAsync("/")) Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);

        using var right = await SignIn(client, ApiKeyAppFixture.Key, "/compare");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/compare", right.Headers.Location!.OriginalString);
        var cookie = cookies.GetCookies(app.BaseAddress)["narrator.auth"];
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);

        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Visual Narrator", await page.Content.ReadAsStringAsync());
        using var hub = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.OK, hub.StatusCode);
        using var models = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("narrator.gguf", health.GetProperty("model").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    public async Task Sign_in_only_returns_to_this_site(string returnUrl)
    {
        using var client = Browser();
        using var response = await SignIn(client, ApiKeyAppFixture.Key, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sign_in_without_the_form_token_is_refused()
    {
        using var client = Browser();
        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = ApiKeyAppFixture.Key }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(client.DefaultRequestHeaders.Authorization);
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task The_bearer_key_opens_the_hub_too()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeyAppFixture.Key);
        using var hub = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.OK, hub.StatusCode);
    }
}

public sealed class KeyFileAppFixture : NarratorAppFixture
{
    // Beside the models folder, in the temp folder the fixture deletes.
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var keyFile = Path.Combine(Path.GetDirectoryName(Models.Folder)!, "key.txt");
            File.WriteAllText(keyFile, "  sk-from-file  \nsecond line ignored\n");
            return new Dictionary<string, string?> { ["Narrator:ApiKeyFile"] = keyFile };
        }
    }
}

public sealed class KeyFileTests(KeyFileAppFixture app) : IClassFixture<KeyFileAppFixture>
{
    [Fact]
    public async Task The_key_can_come_from_a_file()
    {
        using var client = app.CreateClient();
        using var none = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-from-file");
        using var ok = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}

public sealed class AccessKeyTests
{
    private static AccessKey Key(string? key, string? file = null) => new(Options.Create(new NarratorOptions { ApiKey = key, ApiKeyFile = file }));

    [Fact]
    public void Matching_is_exact_whatever_the_length()
    {
        var key = Key("sk-abc");
        Assert.True(key.Required);
        Assert.True(key.Matches("sk-abc"));
        Assert.False(key.Matches("sk-ab"));
        Assert.False(key.Matches("sk-abcd"));
        Assert.False(key.Matches(""));
        Assert.False(key.Matches(null));
        Assert.False(Key(null).Required);
        Assert.False(Key("").Matches(""));
    }

    [Fact]
    public void An_unreadable_or_empty_key_file_stops_the_app_with_a_message()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => Key(null, "/nonexistent/key.txt"));
        Assert.Contains("--api-key-file", missing.Message);
        var empty = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => Key("ignored", empty));
            Assert.Contains("holds no key", e.Message);
        }
        finally { File.Delete(empty); }
    }

    [Fact]
    public async Task The_app_refuses_to_start_with_an_unreadable_key_file_in_one_line()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "--api-key-file", "/nonexistent/key.txt", "--urls", "http://127.0.0.1:0" },
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        var lines = (await stderr).Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains("--api-key-file", lines[0]);
        Assert.DoesNotContain(" at ", await stdout + lines[0]);
    }
}
