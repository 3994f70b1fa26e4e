using System.Runtime.InteropServices;
using VisualNarrator.Convert.Tests.Support;
using VisualNarrator.Convert.Torch;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.Tests;

/// <summary>TorchSharp loads on this machine (with the libstdc++ fix where the system needs it) and trains.</summary>
public sealed class TorchRuntimeTests
{
    [Fact]
    public void LoadsAndTrainsALinearRegression()
    {
        Tiny.Torch();
        manual_seed(3);
        var x = randn(256, 4);
        var trueW = tensor(new float[] { 1.5f, -2f, 0.5f, 3f }).reshape(4, 1);
        var y = x.matmul(trueW).add(0.25f);
        var layer = nn.Linear(4, 1);
        var opt = optim.AdamW(layer.parameters(), lr: 0.05);
        double first = 0, last = 0;
        for (var step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.mse_loss(layer.call(x), y);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 1e-3, $"loss went from {first} to {last}");
        Assert.Equal(1.5, layer.weight![0, 0].item<float>(), 0.02);
    }

    [Fact]
    public void OutputFolderLibrary_NeedsNoVersionTheSystemLacks()
    {
        Tiny.Torch();
        var lib = ElfVersionInfo.Read(Path.Combine(AppContext.BaseDirectory, TorchRuntime.LibraryFile));
        var stdcxx = TorchRuntime.FindLibStdCxx();
        Assert.NotNull(stdcxx);
        var provided = ElfVersionInfo.Read(stdcxx!).Definitions;
        Assert.Contains("GLIBCXX_3.4", provided);
        var strongMissing = lib.Needs.Where(n => n.Library == "libstdc++.so.6" && !provided.Contains(n.Version) && !n.IsWeak).ToList();
        Assert.Empty(strongMissing);
    }

    [SkippableFact]
    public void WeakPatch_ChangesOnlyTheFlagsOfTheChosenRequirement()
    {
        // The package's own copy, untouched by the start-up fix.
        var packaged = PackagedLibrary();
        var original = ElfVersionInfo.Read(packaged);
        var need = original.Needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.False(need.IsWeak);
        Assert.Contains(original.UndefinedSymbols, s => s.Name == "_ZSt21ios_base_library_initv" && s.VersionIndex == need.Index);

        var patched = original.WithWeakNeeds([need]);
        var bytes = File.ReadAllBytes(packaged);
        var changed = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != patched[i]).ToList();
        Assert.Equal([(int)need.FlagsOffset], changed);

        using var dir = new TempDir();
        File.WriteAllBytes(dir["lib.so"], patched);
        var reread = ElfVersionInfo.Read(dir["lib.so"]);
        Assert.True(reread.Needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.Equal(original.Needs.Count(n => n.IsWeak) + 1, reread.Needs.Count(n => n.IsWeak));
    }

    private static string PackagedLibrary()
    {
        var path = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchRuntime.LibraryFile);
        Skip.IfNot(File.Exists(path), $"TorchSharp's package folder is not at {path}");
        return path;
    }

    [SkippableFact]
    public void Fix_PatchesACopyOnce_AgainstThisSystemsLibStdCxx()
    {
        var stdcxx = TorchRuntime.FindLibStdCxx()!;
        Skip.If(ElfVersionInfo.Read(stdcxx).Definitions.Contains("GLIBCXX_3.4.32"), "this system's libstdc++ has GLIBCXX_3.4.32; nothing to fix");
        using var dir = new TempDir();
        var lib = dir[TorchRuntime.LibraryFile];
        File.Copy(PackagedLibrary(), lib);
        var first = TorchRuntime.ApplyLibStdCxxFix(lib, stdcxx);
        Assert.Contains(first, n => n.StartsWith("marked GLIBCXX_3.4.32 weak", StringComparison.Ordinal));
        Assert.Contains(first, n => n.Contains("not needed, since no relocation binds _ZSt21ios_base_library_initv"));
        Assert.True(ElfVersionInfo.Read(lib).Needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        var second = TorchRuntime.ApplyLibStdCxxFix(lib, stdcxx);
        Assert.DoesNotContain(second, n => n.StartsWith("marked", StringComparison.Ordinal));
        Assert.Equal([TorchRuntime.LibraryFile], dir.Entries());
    }

    [SkippableFact]
    public void Fix_RefusesClearly_WhenOtherSymbolsNeedTheMissingVersions()
    {
        // libc defines no GLIBCXX versions at all, so every libstdc++ symbol the library binds would be missing.
        var libc = File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is var i and >= 0 ? l[i..].Trim() : "")
            .First(p => Path.GetFileName(p).StartsWith("libc.so", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith("libc-", StringComparison.Ordinal));
        using var dir = new TempDir();
        var lib = dir[TorchRuntime.LibraryFile];
        File.Copy(PackagedLibrary(), lib);
        var before = File.ReadAllBytes(lib);
        var ex = Assert.Throws<TorchUnavailableException>(() => TorchRuntime.ApplyLibStdCxxFix(lib, libc));
        Assert.Contains("for symbols the shim does not provide", ex.Message);
        Assert.Contains("Install a libstdc++6 from GCC 13 or newer", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(lib));
    }

    [SkippableFact]
    public void Shim_ExportsIosBaseLibraryInit()
    {
        var shim = Path.Combine(AppContext.BaseDirectory, TorchRuntime.ShimFile);
        Skip.IfNot(File.Exists(shim), "the shim was not built (no g++ at build time)");
        var handle = NativeLibrary.Load(shim);
        Assert.True(NativeLibrary.TryGetExport(handle, "_ZSt21ios_base_library_initv", out var address));
        Assert.NotEqual(0, address);
    }
}
