using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Features;
using VisualNarrator.Web.Api;

namespace VisualNarrator.Web.Access;

/// <summary>
/// Keeps the whole app behind the access key when one is configured: the studio's pages redirect to a sign-in page that
/// asks for the same key and then sets an encrypted, HTTP-only cookie; the Blazor hub (<c>/_blazor</c>), static files,
/// every other route and the API answer 401 without the cookie or <c>Authorization: Bearer KEY</c>. Only <c>/health</c>
/// (which then answers a bare status) and the sign-in page stay open.
/// </summary>
public static class StudioAccess
{
    /// <summary>The sign-in page.</summary>
    public static readonly PathString SignInPath = "/signin";

    /// <summary>The open health route.</summary>
    public static readonly PathString HealthPath = "/health";

    private const string CookieName = "narrator.auth";
    private const int MaxSignInBytes = 16 * 1024;

    /// <summary>Registers the key and cookie authentication.</summary>
    public static IServiceCollection AddStudioAccess(this IServiceCollection services)
    {
        services.AddSingleton<AccessKey>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            // Strict: no cross-site request (a form post, a WebSocket to the hub) ever carries the cookie.
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromDays(30);
            o.SlidingExpiration = true;
            o.LoginPath = SignInPath;
        });
        return services;
    }

    /// <summary>Authenticates requests and turns away those without the key. Call before the endpoints.</summary>
    public static WebApplication UseStudioAccess(this WebApplication app)
    {
        // Fails at start, not at the first request, when the key file is unreadable.
        var key = app.Services.GetRequiredService<AccessKey>();
        if (!key.Required) return app;
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path == HealthPath || path == SignInPath || key.Allows(context))
            {
                await next(context);
                return;
            }
            if (IsPageVisit(context))
            {
                context.Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(context.Request.PathBase + path + context.Request.QueryString)}");
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var message = path.StartsWithSegments("/v1")
                ? "missing or wrong API key: send 'Authorization: Bearer KEY'"
                : $"sign in first: open {SignInPath} in a browser, or send 'Authorization: Bearer KEY'";
            await new ApiError(401, message, null, "invalid_request_error", "invalid_api_key").WriteAsync(context);
        });
        return app;
    }

    /// <summary>Maps <c>GET /signin</c> (the form) and <c>POST /signin</c> (checks the key, sets the cookie).</summary>
    public static void MapSignIn(this WebApplication app)
    {
        app.MapGet(SignInPath, (HttpContext context, AccessKey key, IAntiforgery antiforgery, string? returnUrl) =>
            key.Required
                ? Page(context, antiforgery, LocalUrl(returnUrl), null, StatusCodes.Status200OK)
                : Results.Redirect("/"));

        app.MapPost(SignInPath, async (HttpContext context, AccessKey key, IAntiforgery antiforgery) =>
        {
            if (!key.Required) return Results.Redirect("/");
            if (context.Request.ContentLength > MaxSignInBytes)
                throw new ApiError(413, $"the sign-in form is over {MaxSignInBytes} bytes", null, "invalid_request_error", "request_too_large");
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxSignInBytes;
            if (!context.Request.HasFormContentType)
                return Page(context, antiforgery, "/", "Send the form from the sign-in page.", StatusCodes.Status400BadRequest);
            try { await antiforgery.ValidateRequestAsync(context); }
            catch (AntiforgeryValidationException)
            {
                return Page(context, antiforgery, "/", "The form expired; please enter the key again.", StatusCodes.Status400BadRequest);
            }
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var returnUrl = LocalUrl(form["returnUrl"]);
            if (!key.Matches(form["key"].ToString()))
                return Page(context, antiforgery, returnUrl, "That key is not right.", StatusCodes.Status401Unauthorized);
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "studio"), new Claim(AccessKey.FingerprintClaim, key.Fingerprint)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
                new AuthenticationProperties { IsPersistent = true });
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery(); // validated above, with a page rather than a bare 400 on failure
    }

    /// <summary>Where to go after signing in: only paths on this site (no <c>//host</c> or <c>/\host</c> tricks).</summary>
    private static string LocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl) ? url : "/";

    private static bool IsPageVisit(HttpContext context)
    {
        var r = context.Request;
        return (HttpMethods.IsGet(r.Method) || HttpMethods.IsHead(r.Method))
               && !r.Path.StartsWithSegments("/v1") && !r.Path.StartsWithSegments("/_blazor")
               && r.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string returnUrl, string? problem, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        context.Response.Headers.CacheControl = "no-store";
        var e = (string? s) => WebUtility.HtmlEncode(s ?? "");
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <title>Sign in · Visual Narrator</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; background: #f5f5f5; margin: 0; }
            main { max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
            h1 { font-size: 1.4rem; margin: 0 0 1rem; }
            label { display: block; margin-bottom: .4rem; }
            input[type=password] { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; }
            button { margin-top: 1rem; padding: .6rem 1.2rem; font-size: 1rem; background: #594ae2; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
            .problem { color: #b00020; }
            </style>
            </head>
            <body>
            <main>
            <h1>Visual Narrator</h1>
            <form method="post" action="{{e(SignInPath)}}">
            <label for="key">Access key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required autofocus />
            <input type="hidden" name="{{e(tokens.FormFieldName)}}" value="{{e(tokens.RequestToken)}}" />
            <input type="hidden" name="returnUrl" value="{{e(returnUrl)}}" />
            {{(problem is null ? "" : $"<p class=\"problem\" role=\"alert\">{e(problem)}</p>")}}
            <button type="submit">Sign in</button>
            </form>
            </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
