using VisualNarrator.Engine.Inference;
using VisualNarrator.Gguf;
using System.Runtime.InteropServices;
using VisualNarrator.Engine.Native;
using Xunit;

namespace VisualNarrator.Engine.Tests.Native;

[Collection("ggml")]
public class GgmlLibraryTests
{
    [Fact]
    public void EnsureLoaded_is_idempotent_across_threads_and_maps_exactly_one_copy()
    {
        var results = new GgmlLibraryFiles[8];
        Parallel.For(0, results.Length, i => results[i] = GgmlLibrary.EnsureLoaded());
        Assert.All(results, r => Assert.Same(results[0], r));

        var files = results[0];
        Assert.True(File.Exists(Path.Combine(files.Directory, "libllama.so")), files.Directory);
        Assert.Contains("runtimes", files.Directory);

        var maps = File.ReadAllLines("/proc/self/maps");
        foreach (var name in new[] { "libggml-base.so", "libggml.so", "libggml-cpu.so", "libllama.so" })
        {
            var paths = maps.Where(l => l.EndsWith("/" + name, StringComparison.Ordinal))
                .Select(l => l[l.IndexOf('/')..]).Distinct().ToList();
            Assert.Single(paths);
            Assert.StartsWith(files.Directory + "/", paths[0]);
        }

        // The symbol our imports bind to sits inside the mapping LLamaSharp loaded.
        var handle = NativeLibrary.Load(files.BasePath);
        var address = (ulong)NativeLibrary.GetExport(handle, "ggml_init");
        Assert.Contains(maps, l =>
        {
            if (!l.EndsWith(files.BasePath, StringComparison.Ordinal)) return false;
            var range = l[..l.IndexOf(' ')].Split('-');
            return address >= Convert.ToUInt64(range[0], 16) && address < Convert.ToUInt64(range[1], 16);
        });
        NativeLibrary.Free(handle);

        Assert.Matches(@"^\d+\.\d+\.\d+", Ggml.Version);
    }

    [Fact]
    public void FindLoadedFiles_picks_the_folder_of_libllama_and_names_what_is_missing()
    {
        string[] maps =
        [
            "7f00-7f10 r-xp 00000000 08:01 1 /app/runtimes/linux-x64/native/avx2/libllama.so",
            "7f10-7f20 r-xp 00000000 08:01 2 /app/runtimes/linux-x64/native/avx2/libggml-base.so",
            "7f20-7f30 r-xp 00000000 08:01 3 /app/runtimes/linux-x64/native/avx2/libggml.so",
            "7f30-7f40 r-xp 00000000 08:01 4 /app/runtimes/linux-x64/native/avx2/libggml-cpu.so",
            "7f40-7f50 r-xp 00000000 08:01 5 /other/libggml-base.so",
            "7ffd-7ffe rw-p 00000000 00:00 0 [stack]",
        ];
        var files = GgmlLibrary.FindLoadedFiles(maps);
        Assert.Equal("/app/runtimes/linux-x64/native/avx2", files.Directory);
        Assert.Equal("/app/runtimes/linux-x64/native/avx2/libggml-cpu.so", files.CpuPath);

        var e = Assert.Throws<DllNotFoundException>(() => GgmlLibrary.FindLoadedFiles(maps.Where(l => !l.Contains("libggml-cpu"))));
        Assert.Contains("libggml-cpu.so", e.Message);

        // LLamaSharp.Backend.Cuda12's folder has no libggml-cpu.so; its libggml.so uses the CPU package's.
        string[] cuda =
        [
            "7f00-7f10 r-xp 00000000 08:01 1 /app/runtimes/linux-x64/native/cuda12/libllama.so",
            "7f10-7f20 r-xp 00000000 08:01 2 /app/runtimes/linux-x64/native/cuda12/libggml-base.so",
            "7f20-7f30 r-xp 00000000 08:01 3 /app/runtimes/linux-x64/native/cuda12/libggml.so",
            "7f30-7f40 r-xp 00000000 08:01 4 /app/runtimes/linux-x64/native/avx2/libggml-cpu.so",
        ];
        Assert.Equal("/app/runtimes/linux-x64/native/avx2/libggml-cpu.so", GgmlLibrary.FindLoadedFiles(cuda).CpuPath);

        var none = Assert.Throws<DllNotFoundException>(() => GgmlLibrary.FindLoadedFiles(["7ffd-7ffe rw-p 0 00:00 0 [stack]"]));
        Assert.Contains("libllama.so", none.Message);
    }

    [Fact]
    public void Registry_lists_the_cpu_device_and_a_backend_starts_on_it()
    {
        var devices = GgmlDevice.All;
        var cpu = Assert.Single(devices, d => d.Type == GgmlDeviceType.Cpu);
        Assert.Equal("CPU", cpu.Name);
        Assert.Equal(cpu.Handle, GgmlDevice.Find("cpu").Handle);
        Assert.Equal(cpu.Handle, GgmlDevice.Find("CPU").Handle);
        Assert.True(cpu.Memory.Total > 0);

        var backend = GgmlBackend.Create("cpu", threads: 2);
        Assert.Equal("CPU", backend.Name);
        Assert.True(backend.SupportsThreads);
        Assert.Equal(2, backend.Threads);
        backend.Threads = 1;
        Assert.Equal(1, backend.Threads);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Threads = 0);
        backend.Dispose();
        backend.Dispose(); // second dispose is a no-op, not a double free
        Assert.Throws<ObjectDisposedException>(() => backend.Handle);
    }

    [Fact]
    public void Requesting_an_absent_device_names_the_available_ones()
    {
        var e = Assert.Throws<InvalidSettingException>(() => GgmlBackend.Create("CUDA7"));
        Assert.Contains("CUDA7", e.Message);
        Assert.Contains("CPU", e.Message);
        Assert.Throws<InvalidSettingException>(() => GgmlDevice.Find(GgmlDevice.All.Any(d => d.Type == GgmlDeviceType.Gpu) ? "nope" : "gpu"));
    }

    [Fact]
    public void Native_log_lines_reach_the_sink_at_or_above_the_minimum_level()
    {
        GgmlLibrary.EnsureLoaded();
        var lines = new List<(GgmlLogLevel, string)>();
        var (oldSink, oldMin) = (GgmlLibrary.LogSink, GgmlLibrary.MinimumLogLevel);
        try
        {
            GgmlLibrary.LogSink = (l, t) => { lock (lines) lines.Add((l, t)); };
            GgmlLibrary.MinimumLogLevel = GgmlLogLevel.Debug;
            // An impossible allocation: ggml logs an error and returns null; we turn that into an exception.
            using var backend = GgmlBackend.Create("cpu", 1);
            using var ctx = GgmlContext.Create(4);
            ctx.NewTensor(GgmlType.F32, 1L << 48); // 1 PiB of F32: beyond the address space, fails even with overcommit
            Assert.Throws<InvalidOperationException>(() => backend.AllocateTensors(ctx));
            Assert.Contains(lines, l => l.Item1 == GgmlLogLevel.Error && l.Item2.Contains("alloc", StringComparison.OrdinalIgnoreCase));

            lines.Clear();
            GgmlLibrary.MinimumLogLevel = GgmlLogLevel.None;
            Assert.Throws<InvalidOperationException>(() => backend.AllocateTensors(ctx));
            Assert.Empty(lines);
        }
        finally
        {
            (GgmlLibrary.LogSink, GgmlLibrary.MinimumLogLevel) = (oldSink, oldMin);
        }
    }
}
