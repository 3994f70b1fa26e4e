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
        var packaged = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchRuntime.LibraryFile);
        Skip.IfNot(File.Exists(packaged), $"TorchSharp's package folder is not at {packaged}");
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
