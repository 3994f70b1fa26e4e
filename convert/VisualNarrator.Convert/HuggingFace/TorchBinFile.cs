using VisualNarrator.Gguf;
using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace VisualNarrator.Convert.HuggingFace;

/// <summary>PyTorch's <c>torch.save</c> state-dict format (a zip archive holding data.pkl and one file per storage),
/// as pytorch_model.bin and adapter_model.bin use it; read and written by TorchSharp.PyBridge, with its failures
/// turned into <see cref="CheckpointException"/>s that name the file.</summary>
public static class TorchBinFile
{
    /// <summary>Reads every tensor of the file.</summary>
    /// <exception cref="CheckpointException">The file is missing, truncated, not a zip archive, or not a state dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "the file is missing");
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length < 22)
                throw new CheckpointException(path, $"not a PyTorch zip archive: only {stream.Length} bytes (truncated?)");
            Span<byte> magic = stackalloc byte[4];
            stream.ReadExactly(magic);
            if (magic[0] != 0x50 || magic[1] != 0x4b || magic[2] != 0x03 || magic[3] != 0x04)
                throw new CheckpointException(path, "not a PyTorch zip archive (torch.save's legacy non-zip format is not supported; re-save with a current PyTorch)");
            stream.Position = 0;
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false);
        }
        catch (CheckpointException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new CheckpointException(path, $"cannot read the PyTorch archive (truncated or corrupt?): {ex.Message}", ex);
        }
        var result = new Dictionary<string, Tensor>(table.Count);
        foreach (DictionaryEntry e in table)
        {
            if (e.Key is not string key || e.Value is not Tensor t)
                throw new CheckpointException(path, $"entry '{e.Key}' is not a tensor; expected a state dict of name → tensor");
            result[key] = t;
        }
        return result;
    }

    /// <summary>Writes tensors as a <c>torch.save</c>'d state dict (an OrderedDict of name → tensor) that
    /// <c>torch.load</c> reads.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Value)> tensors)
    {
        var table = new Hashtable();
        var owned = new List<Tensor>();
        try
        {
            foreach (var (name, value) in tensors)
            {
                var t = value.detach().cpu().contiguous();
                owned.Add(t);
                table[name] = t;
            }
            AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, table, leaveOpen: true));
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
    }
}
