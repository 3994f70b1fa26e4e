using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VisualNarrator.Web.Services;

namespace VisualNarrator.Web.Access;

/// <summary>The app's access key (<see cref="NarratorOptions.ApiKey"/> or <see cref="NarratorOptions.ApiKeyFile"/>),
/// read once at start. Only its SHA-256 is kept; candidates are hashed and compared in constant time, so neither the
/// time taken nor an early exit on a length mismatch tells anything about the key.</summary>
public sealed class AccessKey
{
    /// <summary>Claim holding a fingerprint of the key a cookie was issued for: changing the key signs everyone out.</summary>
    public const string FingerprintClaim = "narrator:key";

    private readonly byte[]? _hash;

    /// <summary>Reads the key from the options.</summary>
    /// <exception cref="InvalidOperationException">The key file cannot be read or is empty (the app does not start
    /// unprotected when a key was asked for).</exception>
    public AccessKey(IOptions<NarratorOptions> options)
    {
        var o = options.Value;
        var key = o.ApiKey;
        if (!string.IsNullOrEmpty(o.ApiKeyFile))
        {
            try { key = File.ReadLines(o.ApiKeyFile).FirstOrDefault()?.Trim(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new InvalidOperationException($"Narrator:ApiKeyFile (--api-key-file): cannot read '{o.ApiKeyFile}': {ex.Message}");
            }
            if (string.IsNullOrEmpty(key))
                throw new InvalidOperationException($"Narrator:ApiKeyFile (--api-key-file): '{o.ApiKeyFile}' holds no key on its first line");
        }
        if (!string.IsNullOrEmpty(key)) _hash = Hash(key);
    }

    /// <summary>True when a key is configured: every route but <c>/health</c> and the sign-in page requires it.</summary>
    public bool Required => _hash is not null;

    /// <summary>True when <paramref name="candidate"/> is the key (always false when none is configured).</summary>
    public bool Matches(string? candidate) =>
        _hash is not null && candidate is not null && CryptographicOperations.FixedTimeEquals(Hash(candidate), _hash);

    /// <summary>A fingerprint of the key for the sign-in cookie (the cookie itself is encrypted by ASP.NET Core).</summary>
    public string Fingerprint => _hash is null ? "" : Convert.ToHexString(SHA256.HashData([.. "cookie:"u8, .. _hash]))[..32];

    /// <summary>True when the request may use the app: no key is configured, it carries
    /// <c>Authorization: Bearer KEY</c>, or it carries a sign-in cookie issued for the current key.</summary>
    public bool Allows(HttpContext context)
    {
        if (!Required) return true;
        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && Matches(header[bearer.Length..].Trim())) return true;
        return IsCurrent(context.User);
    }

    /// <summary>True when a signed-in user's cookie was issued for the current key.</summary>
    public bool IsCurrent(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return false;
        var claim = user.FindFirst(FingerprintClaim)?.Value;
        return claim is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claim), Encoding.ASCII.GetBytes(Fingerprint));
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
