using System.Runtime.InteropServices;
using VisualNarrator.Engine.Native;
using VisualNarrator.Gguf;

namespace VisualNarrator.Gguf.Tests;

/// <summary>ggml's own GGUF writer (<c>gguf_write_to_file</c>), so our managed reader can be checked against files
/// ggml itself produces. Holds a gguf context and an allocating ggml context for tensor data.</summary>
internal sealed unsafe class GgufNativeWriter : IDisposable
{
    private IntPtr _gguf;
    private IntPtr _data;

    /// <summary>Creates an empty writer with room for <paramref name="dataBytes"/> bytes of tensor data.</summary>
    public GgufNativeWriter(long dataBytes = 1 << 20)
    {
        GgmlLibrary.EnsureLoaded();
        _gguf = GgufNative.gguf_init_empty();
        var size = (nuint)(dataBytes + 256 * (long)GgmlNative.ggml_tensor_overhead());
        _data = GgmlNative.ggml_init(new GgmlNative.InitParams { MemSize = size, MemBuffer = IntPtr.Zero, NoAlloc = 0 });
        if (_gguf == IntPtr.Zero || _data == IntPtr.Zero) throw new OutOfMemoryException("gguf_init_empty or ggml_init failed");
    }

    /// <summary>Sets a scalar or string value, mapping the CLR type to the GGUF type as <see cref="GgufValue.From"/> does.</summary>
    public void Set(string key, object value)
    {
        var g = Live;
        switch (value)
        {
            case byte v: GgufNative.gguf_set_val_u8(g, key, v); break;
            case sbyte v: GgufNative.gguf_set_val_i8(g, key, v); break;
            case ushort v: GgufNative.gguf_set_val_u16(g, key, v); break;
            case short v: GgufNative.gguf_set_val_i16(g, key, v); break;
            case uint v: GgufNative.gguf_set_val_u32(g, key, v); break;
            case int v: GgufNative.gguf_set_val_i32(g, key, v); break;
            case float v: GgufNative.gguf_set_val_f32(g, key, v); break;
            case ulong v: GgufNative.gguf_set_val_u64(g, key, v); break;
            case long v: GgufNative.gguf_set_val_i64(g, key, v); break;
            case double v: GgufNative.gguf_set_val_f64(g, key, v); break;
            case bool v: GgufNative.gguf_set_val_bool(g, key, v); break;
            case string v: GgufNative.gguf_set_val_str(g, key, v); break;
            default: throw new ArgumentException($"no GGUF scalar type for {value.GetType().Name}");
        }
    }

    /// <summary>Sets an array of a fixed-size element type.</summary>
    public void SetArray<T>(string key, GgufValueType type, T[] items) where T : unmanaged
    {
        if (GgufArray.ClrType(type) != typeof(T)) throw new ArgumentException($"{type} arrays hold {GgufArray.ClrType(type).Name}, not {typeof(T).Name}");
        fixed (T* p = items) GgufNative.gguf_set_arr_data(Live, key, (uint)type, p, (nuint)items.Length);
    }

    /// <summary>Sets an array of strings.</summary>
    public void SetArray(string key, string[] items)
    {
        var pointers = items.Select(s => Marshal.StringToCoTaskMemUTF8(s)).ToArray();
        try
        {
            fixed (IntPtr* p = pointers) GgufNative.gguf_set_arr_str(Live, key, p, (nuint)items.Length);
        }
        finally
        {
            foreach (var ptr in pointers) Marshal.FreeCoTaskMem(ptr);
        }
    }

    /// <summary>Adds a tensor with the given raw data (in the type's layout).</summary>
    public void AddTensor(string name, GgmlType type, long[] shape, ReadOnlySpan<byte> data)
    {
        var rows = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (shape.Length is 0 or > 4 || shape.Any(d => d <= 0) || data.Length != GgmlTypeInfo.RowBytes(type, shape[0]) * rows)
            throw new ArgumentException($"tensor '{name}': {data.Length} bytes do not fit {GgmlTypeInfo.Name(type)} {{{string.Join(", ", shape)}}}");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > GgufFile.MaxTensorNameBytes) throw new ArgumentException($"tensor name '{name}' is too long");
        if (GgmlNative.ggml_get_mem_size(_data) - GgmlNative.ggml_used_mem(_data) < (nuint)data.Length + GgmlNative.ggml_tensor_overhead())
            throw new InvalidOperationException("the writer's data context is full; create it with more dataBytes");
        var t = shape.Length switch
        {
            1 => GgmlNative.ggml_new_tensor_1d(_data, (uint)type, shape[0]),
            2 => GgmlNative.ggml_new_tensor_2d(_data, (uint)type, shape[0], shape[1]),
            3 => GgmlNative.ggml_new_tensor_3d(_data, (uint)type, shape[0], shape[1], shape[2]),
            _ => GgmlNative.ggml_new_tensor_4d(_data, (uint)type, shape[0], shape[1], shape[2], shape[3]),
        };
        GgmlNative.ggml_set_name(t, name);
        data.CopyTo(new Span<byte>((void*)GgufNative.ggml_get_data(t), data.Length));
        GgufNative.gguf_add_tensor(Live, t);
    }

    /// <summary>Writes the file with ggml's writer.</summary>
    public void WriteTo(string path)
    {
        if (!GgufNative.gguf_write_to_file(Live, path, false)) throw new IOException($"gguf_write_to_file could not write {path}");
    }

    private IntPtr Live => _gguf != IntPtr.Zero ? _gguf : throw new ObjectDisposedException(nameof(GgufNativeWriter));

    /// <summary>Frees both contexts.</summary>
    public void Dispose()
    {
        var g = Interlocked.Exchange(ref _gguf, IntPtr.Zero);
        if (g != IntPtr.Zero) GgufNative.gguf_free(g);
        var d = Interlocked.Exchange(ref _data, IntPtr.Zero);
        if (d != IntPtr.Zero) GgmlNative.ggml_free(d);
    }
}
