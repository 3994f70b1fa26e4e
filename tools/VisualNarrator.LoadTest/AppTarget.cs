using System.CommandLine;
using System.CommandLine.Parsing;

namespace VisualNarrator.LoadTest;

/// <summary>The app a run talks to: <c>--url</c> of a running one, or <c>--model</c> for one started in this process
/// (<c>--url</c> wins when both are given); <c>--api-key</c> is sent as <c>Authorization: Bearer</c>.</summary>
/// <param name="Model">The model to start the app with, or null.</param>
/// <param name="Url">The running app's base address, or null (then <paramref name="Model"/> is set).</param>
/// <param name="ApiKey">The access key, or null.</param>
public sealed record AppTarget(string? Model, Uri? Url, string? ApiKey)
{
    /// <summary>The three options, added to a command with <see cref="AddTo"/> and read with <see cref="Read"/>.</summary>
    public sealed class Options
    {
        private readonly Option<string> _model = new("--model") { Description = "A GGUF model: the app is started in this process on 127.0.0.1 with it" };
        private readonly Option<Uri> _url = new("--url")
        {
            Description = "Base address of a running app, e.g. http://localhost:5080 (instead of --model)",
            CustomParser = ParseUrl,
        };
        private readonly Option<string> _apiKey = new("--api-key") { Description = "The app's access key" };

        /// <summary>Adds the options to <paramref name="command"/>, which then refuses to run with neither
        /// <c>--model</c> nor <c>--url</c>.</summary>
        public void AddTo(Command command)
        {
            command.Options.Add(_model);
            command.Options.Add(_url);
            command.Options.Add(_apiKey);
            command.Validators.Add(result =>
            {
                if (result.GetResult(_model) is null && result.GetResult(_url) is null)
                    result.AddError("give --model PATH (the app is started in this process) or --url of a running app");
            });
        }

        /// <summary>The target chosen on the command line.</summary>
        public AppTarget Read(ParseResult parse) => new(parse.GetValue(_model), parse.GetValue(_url), parse.GetValue(_apiKey));

        private static Uri? ParseUrl(ArgumentResult result)
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                return uri;
            result.AddError($"--url expects an absolute http:// or https:// address such as http://localhost:5080, got '{text}'");
            return null;
        }
    }
}
