using System.Buffers;
using System.Runtime.ExceptionServices;
using VisualNarrator.Engine.Native;
using VisualNarrator.Engine.Placement;
using VisualNarrator.Gguf;

namespace VisualNarrator.Engine.Models;

/// <summary>A model's weight tensors in one backend buffer, looked up by their GGUF names.</summary>
public sealed class ModelWeights : IDisposable
{
    private readonly List<(GgmlBackend Backend, GgmlContext Context, GgmlBackendBuffer Buffer)> _parts;
    private readonly Dictionary<string, GgmlTensor> _tensors;
    private readonly MappedFile? _mapping;

    private ModelWeights(List<(GgmlBackend, GgmlContext, GgmlBackendBuffer)> parts, Dictionary<string, GgmlTensor> tensors, MappedFile? mapping)
    {
        _parts = parts;
        _tensors = tensors;
        _mapping = mapping;
    }

    /// <summary>Names of the weights held rearranged in the CPU repack buffer type (their bytes cannot be read back).</summary>
    public IReadOnlySet<string> Repacked { get; private init; } = new HashSet<string>();

    /// <summary>Whether the weights point into a memory map of the file rather than into memory of their own.</summary>
    public bool Mapped => _mapping is not null;

    /// <summary>Bytes of backend memory holding the weights.</summary>
    public ulong BufferBytes => _parts.Aggregate(0UL, (sum, p) => sum + p.Buffer.Size);

    /// <summary>Bytes of the weights held by <paramref name="backend"/>.</summary>
    public ulong BytesOn(GgmlBackend backend) => _parts.Where(p => p.Backend == backend).Aggregate(0UL, (sum, p) => sum + p.Buffer.Size);

    /// <summary>A required weight.</summary>
    public GgmlTensor this[string name] => _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no weight '{name}'");

    /// <summary>An optional weight, or null.</summary>
    public GgmlTensor? TryGet(string name) => _tensors.TryGetValue(name, out var t) ? t : null;

    /// <summary>Checks every tensor of <paramref name="file"/> against <paramref name="specs"/> (missing, unexpected,
    /// wrong shape or type); throws naming the tensor and both shapes. Nothing native runs before this passes.</summary>
    public static void Validate(GgufFile file, IEnumerable<TensorSpec> specs)
    {
        // The specs are checked as they are produced, so a header that claims more than the file holds fails at its
        // first missing tensor instead of first materialising the whole expected list.
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var absentOptional = 0;
        foreach (var spec in specs)
        {
            var actual = file.FindTensor(spec.Name);
            if (spec.Check(actual) is { } problem) throw new ModelLoadException(file.Path, problem);
            if (actual is null && ++absentOptional > file.Tensors.Count + 16)
                throw new ModelLoadException(file.Path, $"the architecture expects far more tensors than the file's {file.Tensors.Count}");
            if (!expected.Add(spec.Name)) throw new InvalidOperationException($"the architecture lists tensor '{spec.Name}' twice");
        }
        foreach (var t in file.Tensors)
            if (!expected.Contains(t.Name)) throw new ModelLoadException(file.Path, $"unexpected tensor '{t.Name}' {t.ShapeText}");
    }

    /// <summary>Creates the tensors in a backend buffer and reads their data straight from the file into it
    /// (the file must have passed <see cref="Validate"/>).</summary>
    public static ModelWeights Load(GgufFile file, GgmlBackend backend, IProgress<double>? progress = null) =>
        Load(file, _ => backend, progress);

    /// <summary>As <see cref="Load(GgufFile, GgmlBackend, IProgress{double}?)"/>, with each tensor in the buffer of the
    /// backend <paramref name="placement"/> names for it (one buffer per backend).</summary>
    public static ModelWeights Load(GgufFile file, Func<string, GgmlBackend> placement, IProgress<double>? progress = null) =>
        Load(file, placement, [], map: false, progress);

    /// <summary>As <see cref="Load(GgufFile, Func{string, GgmlBackend}, IProgress{double}?)"/>, also stacking the
    /// tensors of every group of <paramref name="fusions"/> whose parts all fit (see <see cref="TensorFusion"/>) into
    /// one tensor; a fused tensor replaces its parts, whose data is read straight into its place. With
    /// <paramref name="map"/> (every tensor on the CPU) the other tensors point into a read-only memory map of the file
    /// instead of being read: no copy, pages come in on first use and are shared with the page cache. So does a fused
    /// tensor whose parts lie back to back in the file (see <see cref="Contiguous"/>), as this project's writers place
    /// them.</summary>
    internal static ModelWeights Load(GgufFile file, Func<string, GgmlBackend> placement, IEnumerable<IReadOnlyList<TensorFusion>> fusions,
        bool map = false, IProgress<double>? progress = null, WeightRepacking? repack = null)
    {
        ArgumentNullException.ThrowIfNull(placement);
        // Where each file tensor's bytes go: the tensor of that name at offset 0, or a place in a fused tensor.
        var destination = file.Tensors.ToDictionary(t => t.Name, t => (Tensor: t.Name, Offset: 0L), StringComparer.Ordinal);
        var created = file.Tensors.Select(t => (t.Name, t.Type, Shape: t.Shape.ToArray())).ToList();
        // ggml's CPU kernels need 32-byte aligned data; GGUF's default alignment gives it, a smaller one is read instead.
        map &= file.Alignment % GgmlBackendBuffer.CpuAlignment == 0 && file.DataOffset % GgmlBackendBuffer.CpuAlignment == 0;
        // Where a mapped tensor's bytes lie in the data section: a file tensor's own, or a fused tensor's back-to-back parts.
        var inFile = file.Tensors.ToDictionary(t => t.Name, t => (t.RelativeOffset, t.ByteSize), StringComparer.Ordinal);
        foreach (var group in fusions)
        {
            if (!group.All(f => Stacked(file, f) is not null)) continue;
            foreach (var fusion in group)
            {
                created.Add((fusion.Name, file.FindTensor(fusion.Parts[0])!.Type, Stacked(file, fusion)!));
                if (Contiguous(file, fusion) is { } span) inFile[fusion.Name] = span;
                var offset = 0L;
                foreach (var part in fusion.Parts)
                {
                    destination[part] = (fusion.Name, offset);
                    offset += file.FindTensor(part)!.ByteSize;
                }
            }
        }
        var replaced = destination.Where(d => d.Key != d.Value.Tensor).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        created.RemoveAll(c => replaced.Contains(c.Name));

        var parts = new List<(GgmlBackend Backend, GgmlContext Context, GgmlBackendBuffer Buffer)>();
        var contexts = new Dictionary<GgmlBackend, GgmlContext>();
        GgmlContext? mappedContext = null;
        GgmlContext? repackContext = null;
        MappedFile? mapping = null;
        try
        {
            var tensors = new Dictionary<string, GgmlTensor>(StringComparer.Ordinal);
            var mapped = new List<(GgmlTensor Tensor, string Name, long RelativeOffset, long ByteSize)>();
            var repacked = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, type, s) in created)
            {
                var backend = placement(name);
                // Repacked weights get memory of their own (the layout differs from the file's), so they are never mapped.
                var repackIt = repack is not null && repack.Takes(name, backend, type, s);
                var mapIt = map && !repackIt && inFile.ContainsKey(name);
                GgmlContext context;
                if (repackIt) context = repackContext ??= GgmlContext.Create(created.Count + 1);
                else if (mapIt) context = mappedContext ??= GgmlContext.Create(created.Count + 1);
                else if (!contexts.TryGetValue(backend, out context!)) contexts[backend] = context = GgmlContext.Create(created.Count + 1);
                var t = s.Length switch
                {
                    1 => context.NewTensor(type, s[0]),
                    2 => context.NewTensor(type, s[0], s[1]),
                    3 => context.NewTensor(type, s[0], s[1], s[2]),
                    _ => context.NewTensor(type, s[0], s[1], s[2], s[3]),
                };
                tensors[name] = t.SetName(name);
                if (mapIt) mapped.Add((t, name, inFile[name].RelativeOffset, inFile[name].ByteSize));
                if (repackIt) repacked.Add(name);
            }
            // Weights read into the CPU's memory ask for huge pages before they are written (mapped ones live in the
            // page cache, whose folio sizes the kernel chooses).
            foreach (var (backend, context) in contexts)
            {
                var buffer = backend.AllocateTensors(context, GgmlBufferUsage.Weights);
                parts.Add((backend, context, buffer));
                if (backend.IsCpu) buffer.PreferHugePages();
            }
            if (repackContext is not null)
            {
                var buffer = repack!.BufferType.Allocate(repackContext);
                parts.Add((repack.Backend, repackContext, buffer));
                buffer.PreferHugePages();
            }
            if (mappedContext is not null)
                parts.Add(PlaceMapped(file, mapping = MappedFile.Open(file.Path, file.FileLength), mappedContext, placement(mapped[0].Name), mapped));
            var mappedNames = mapped.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            ReadData(file, file.Tensors.Where(t => !mappedNames.Contains(destination[t.Name].Tensor)), tensors, destination, repacked,
                repack?.Workers ?? 1, progress);
            progress?.Report(1);
            return new ModelWeights(parts, tensors, mapping) { Repacked = repacked };
        }
        catch
        {
            foreach (var p in parts) p.Buffer.Dispose();
            foreach (var c in contexts.Values) c.Dispose();
            mappedContext?.Dispose();
            repackContext?.Dispose();
            mapping?.Dispose();
            throw;
        }
    }

    /// <summary>A CPU buffer over the mapped data section, with each tensor placed at its data in the file.</summary>
    private static unsafe (GgmlBackend, GgmlContext, GgmlBackendBuffer) PlaceMapped(GgufFile file, MappedFile mapping, GgmlContext context,
        GgmlBackend backend, List<(GgmlTensor Tensor, string Name, long RelativeOffset, long ByteSize)> tensors)
    {
        var data = mapping.Pointer + file.DataOffset;
        var buffer = GgmlBackendBuffer.OverHostMemory(data, (ulong)(file.FileLength - file.DataOffset));
        try
        {
            buffer.Usage = GgmlBufferUsage.Weights;
            foreach (var (tensor, name, relativeOffset, byteSize) in tensors)
            {
                if ((long)tensor.Nbytes != byteSize)
                    throw new InvalidOperationException($"ggml sizes '{name}' at {tensor.Nbytes} bytes, the file at {byteSize}");
                buffer.Place(tensor, data + relativeOffset);
            }
            return (backend, context, buffer);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>The shape of <paramref name="fusion"/>'s result, or null when its parts cannot be stacked: one is
    /// missing, their types or row lengths differ, they are not all vectors or all matrices, or the name is taken.</summary>
    private static long[]? Stacked(GgufFile file, TensorFusion fusion)
    {
        if (file.FindTensor(fusion.Name) is not null || fusion.Parts.Count == 0) return null;
        var infos = fusion.Parts.Select(file.FindTensor).ToList();
        if (infos.Any(i => i is null)) return null;
        var first = infos[0]!;
        if (first.Shape.Length is not (1 or 2)) return null;
        if (infos.Any(i => i!.Type != first.Type || i.Shape.Length != first.Shape.Length || i.Shape[0] != first.Shape[0])) return null;
        return first.Shape.Length == 1 ? [infos.Sum(i => i!.Shape[0])] : [first.Shape[0], infos.Sum(i => i!.Shape[1])];
    }

    /// <summary>Where <paramref name="fusion"/>'s parts lie in the file one right after the other, in its order (no
    /// padding between them), so that the fused tensor can be read as one block or mapped: the first part's offset in
    /// the data section and the parts' total size; else null (also when a part is missing).</summary>
    internal static (long RelativeOffset, long ByteSize)? Contiguous(GgufFile file, TensorFusion fusion)
    {
        if (fusion.Parts.Count == 0 || fusion.Parts.Any(p => file.FindTensor(p) is null)) return null;
        var infos = fusion.Parts.Select(p => file.FindTensor(p)!).ToList();
        for (var i = 1; i < infos.Count; i++)
            if (infos[i].RelativeOffset != infos[i - 1].RelativeOffset + infos[i - 1].ByteSize) return null;
        return (infos[0].RelativeOffset, infos.Sum(i => i.ByteSize));
    }

    /// <summary>Reads every tensor's bytes from the file: straight into the tensor's memory where the CPU can address
    /// it (one copy, by the kernel), through a 4 MiB staging buffer and ggml_backend_tensor_set on a device. A tensor in
    /// <paramref name="repacked"/> is rearranged on the way in (see <see cref="Repack"/>).</summary>
    private static void ReadData(GgufFile file, IEnumerable<GgufTensorInfo> toRead, Dictionary<string, GgmlTensor> tensors,
        Dictionary<string, (string Tensor, long Offset)> destination, IReadOnlySet<string> repacked, int workers, IProgress<double>? progress)
    {
        using var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (RandomAccess.GetLength(handle) != file.FileLength)
            throw new IOException($"{file.Path} changed size since its metadata was read");
        byte[]? chunk = null;
        try
        {
            var infos = toRead.OrderBy(t => t.FileOffset).ToList();
            long total = infos.Sum(t => t.ByteSize), done = 0;
            foreach (var info in infos.Where(i => !repacked.Contains(destination[i.Name].Tensor)))
            {
                var (name, start) = destination[info.Name];
                var tensor = CheckedDestination(tensors, name, start, info);
                var host = tensor.HostData;
                if (!host.IsEmpty)
                {
                    ReadExactly(handle, host.Slice((int)start, (int)info.ByteSize), info.FileOffset, file.Path);
                }
                else
                {
                    chunk ??= ArrayPool<byte>.Shared.Rent(4 << 20);
                    for (long offset = 0; offset < info.ByteSize;)
                    {
                        var n = (int)Math.Min(chunk.Length, info.ByteSize - offset);
                        ReadExactly(handle, chunk.AsSpan(0, n), info.FileOffset + offset, file.Path);
                        tensor.SetData<byte>(chunk.AsSpan(0, n), (ulong)(start + offset));
                        offset += n;
                    }
                }
                done += info.ByteSize;
                progress?.Report((double)done / total);
            }
            var groups = infos.Where(i => repacked.Contains(destination[i.Name].Tensor)).GroupBy(i => destination[i.Name].Tensor).ToList();
            if (groups.Count > 0) Repack(handle, file.Path, groups, tensors, destination, workers, progress, done, total);
        }
        finally
        {
            if (chunk is not null) ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Gathers each repacked tensor whole (all its fused parts) in a staging array and writes it with one
    /// ggml_backend_tensor_set, which rearranges it; the repack buffer takes nothing less than a whole tensor. The
    /// rearranging is single-threaded in ggml and a large part of a quantized model's load, so <paramref name="workers"/>
    /// threads take whole tensors in turn (each writes only its own tensor's memory).</summary>
    private static void Repack(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path, List<IGrouping<string, GgufTensorInfo>> groups,
        Dictionary<string, GgmlTensor> tensors, Dictionary<string, (string Tensor, long Offset)> destination, int workers,
        IProgress<double>? progress, long done, long total)
    {
        var largest = groups.Max(g => checked((int)tensors[g.Key].Nbytes));
        var progressLock = new object();
        var next = -1;
        Exception? failure = null;
        // Threads of its own rather than the thread pool's, which a busy server (or test run) may not lend in time.
        var helpers = Enumerable.Range(1, Math.Clamp(workers, 1, groups.Count) - 1)
            .Select(i => new Thread(Work) { IsBackground = true, Name = $"repack {i}" }).ToList();
        foreach (var helper in helpers) helper.Start();
        Work();
        foreach (var helper in helpers) helper.Join();
        // The first failure as itself, as sequential reads throw it (a truncated file's EndOfStreamException).
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);

        void Work()
        {
            // Any failure, the staging array's allocation included, is kept for the loading thread: an exception
            // escaping a helper thread would end the process.
            try
            {
                // One staging array per worker, the size of the largest repacked tensor, dropped after loading (not
                // pooled, so it does not stay in the process for the model's lifetime).
                var whole = GC.AllocateUninitializedArray<byte>(largest);
                int g;
                while (Volatile.Read(ref failure) is null && (g = Interlocked.Increment(ref next)) < groups.Count)
                {
                    var group = groups[g];
                    var tensor = tensors[group.Key];
                    var size = (int)tensor.Nbytes;
                    long covered = 0;
                    foreach (var info in group)
                    {
                        var start = destination[info.Name].Offset;
                        CheckedDestination(tensors, group.Key, start, info);
                        ReadExactly(handle, whole.AsSpan((int)start, (int)info.ByteSize), info.FileOffset, path);
                        covered += info.ByteSize;
                    }
                    if (covered != size)
                        throw new InvalidOperationException($"the file's parts of '{group.Key}' hold {covered} bytes, ggml sizes it at {size}");
                    tensor.SetData<byte>(whole.AsSpan(0, size));
                    var now = Interlocked.Add(ref done, covered);
                    if (progress is not null) lock (progressLock) progress.Report((double)now / total);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        }
    }

    /// <summary>The tensor a file tensor's bytes go to, checked to hold them at <paramref name="start"/>.</summary>
    private static GgmlTensor CheckedDestination(Dictionary<string, GgmlTensor> tensors, string name, long start, GgufTensorInfo info)
    {
        var tensor = tensors[name];
        if ((long)tensor.Nbytes < start + info.ByteSize || (name == info.Name && (long)tensor.Nbytes != info.ByteSize))
            throw new InvalidOperationException($"ggml sizes '{name}' at {tensor.Nbytes} bytes, the file's '{info.Name}' needs {info.ByteSize} at {start}");
        return tensor;
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> destination, long fileOffset, string path)
    {
        while (!destination.IsEmpty)
        {
            var n = RandomAccess.Read(handle, destination, fileOffset);
            if (n == 0) throw new EndOfStreamException($"{path} ended at byte {fileOffset} while its tensor data was read");
            destination = destination[n..];
            fileOffset += n;
        }
    }

    /// <summary>Frees the weights.</summary>
    public void Dispose()
    {
        foreach (var (_, context, buffer) in _parts)
        {
            buffer.Dispose();
            context.Dispose();
        }
        _mapping?.Dispose();
    }
}

/// <summary>Which weights go into the CPU repack buffer type at load: those that <paramref name="OnlyMultiplied"/> names
/// (weights read by nothing but mul_mat), placed on <paramref name="Backend"/>, that <paramref name="BufferType"/>
/// takes.</summary>
/// <param name="BufferType">The CPU backend's repack buffer type.</param>
/// <param name="Backend">The CPU backend the repacked weights are computed on.</param>
/// <param name="OnlyMultiplied">Whether a weight is used only as the matrix of mul_mat (never by get_rows, a view or
/// a copy, which would read the rearranged bytes as the plain layout).</param>
/// <param name="Workers">Threads that rearrange weights at load, each a whole tensor at a time.</param>
internal sealed record WeightRepacking(CpuRepackBufferType BufferType, GgmlBackend Backend, Func<string, bool> OnlyMultiplied, int Workers = 1)
{
    /// <summary>Whether weight <paramref name="name"/> of that type and shape, placed on <paramref name="backend"/>, is repacked.</summary>
    public bool Takes(string name, GgmlBackend backend, GgmlType type, IReadOnlyList<long> shape) =>
        backend == Backend && OnlyMultiplied(name) && BufferType.Takes(type, shape);
}
