using VisualNarrator.Engine.Inference;
using VisualNarrator.Gguf;
using VisualNarrator.Testing;

namespace VisualNarrator.Engine.Tests.Models;

/// <summary>How weights get into memory: pointed into a memory map of the file (the CPU default) or read into memory of
/// their own, with or without fused q/k/v; every way holds the file's bytes and gives the same logits.</summary>
public sealed class WeightLoadingTests(TestModels models) : IClassFixture<TestModels>
{
    [Theory]
    [InlineData("f32", true)]
    [InlineData("f32", false)]
    [InlineData("q4_k_m", true)]
    [InlineData("q4_k_m", false)]
    public void LoadedWeights_HoldTheFilesBytes_FusedOnesAsQThenKThenV(string type, bool map)
    {
        var path = FusedQkvTests.ModelFile(models, "pre-ln", type);
        var file = GgufFile.Open(path);
        using var model = Model.Load(path, new ModelLoadOptions(MapFile: map));
        Assert.Equal(map, model.Weights.Mapped);
        byte[] Bytes(string name)
        {
            var info = file.FindTensor(name)!;
            var bytes = new byte[info.ByteSize];
            file.ReadTensorData(info, bytes);
            return bytes;
        }
        var compared = 0;
        foreach (var info in file.Tensors)
        {
            var fusedName = info.Name.Replace(".attn_q.", ".attn_qkv.", StringComparison.Ordinal);
            if (model.Weights.TryGet(info.Name) is { } tensor)
            {
                Assert.Equal(Bytes(info.Name), tensor.ToArray<byte>());
                compared++;
            }
            else if (fusedName != info.Name)
            {
                var expected = Bytes(info.Name).Concat(Bytes(info.Name.Replace(".attn_q.", ".attn_k.", StringComparison.Ordinal)))
                    .Concat(Bytes(info.Name.Replace(".attn_q.", ".attn_v.", StringComparison.Ordinal))).ToArray();
                Assert.Equal(expected, model.Weights[fusedName].ToArray<byte>());
                compared += 3;
            }
        }
        Assert.Equal(file.Tensors.Count, compared);
    }

    [Theory]
    [InlineData("f32", false)]
    [InlineData("q4_k_m", true)]
    [InlineData("q8_0", false)]
    public void MappedWeights_GiveTheLogitsOfReadWeights(string type, bool flash)
    {
        var path = FusedQkvTests.ModelFile(models, "pre-ln", type);
        List<float[]> Logits(bool map)
        {
            using var model = Model.Load(path, new ModelLoadOptions(MapFile: map));
            Assert.Equal(map, model.Weights.Mapped);
            return FusedQkvTests.Run(model, flash);
        }
        var read = Logits(map: false);
        var mapped = Logits(map: true);
        for (var i = 0; i < read.Count; i++) Assert.Equal(read[i], mapped[i]);
    }

    [Fact]
    public void MappedModel_ReleasesItsMap_AndTheFileCanBeReplaced()
    {
        var source = FusedQkvTests.ModelFile(models, "pre-ln", "q8_0");
        var path = models.PathFor("mapped-copy.gguf");
        File.Copy(source, path, overwrite: true);
        using (var model = Model.Load(path))
        {
            Assert.True(model.Weights.Mapped);
            var before = FusedQkvTests.Run(model, flash: false);
            // Replacing by rename (as this project's writers do) leaves the mapped file intact for the loaded model,
            // even when the new file holds other weights.
            var replacement = models.PathFor("mapped-copy.tmp");
            File.Copy(FusedQkvTests.ModelFile(models, "pre-ln", "f32"), replacement, overwrite: true);
            File.Move(replacement, path, overwrite: true);
            var after = FusedQkvTests.Run(model, flash: false);
            for (var i = 0; i < before.Count; i++) Assert.Equal(before[i], after[i]);
        }
        File.Delete(path);
        Assert.False(File.Exists(path));
    }
}
