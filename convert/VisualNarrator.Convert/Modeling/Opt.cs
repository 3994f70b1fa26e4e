using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace VisualNarrator.Convert.Modeling;

// Facebook OPT as HF transformers' modeling_opt.py defines it, with the same module names, so that
// named_parameters() are exactly the keys of a HuggingFace state dict:
//   model.decoder.embed_tokens.weight            [vocab, word_embed_proj_dim]
//   model.decoder.embed_positions.weight         [max_position_embeddings + 2, hidden]   (position p reads row p + 2)
//   model.decoder.project_in.weight / project_out.weight   (only when word_embed_proj_dim != hidden; no bias)
//   model.decoder.layers.N.self_attn.{q,k,v,out}_proj.{weight,bias}
//   model.decoder.layers.N.self_attn_layer_norm.{weight,bias}
//   model.decoder.layers.N.fc1.{weight,bias}, fc2.{weight,bias}, final_layer_norm.{weight,bias}
//   model.decoder.final_layer_norm.{weight,bias}  (pre-LN models without _remove_final_layer_norm)
//   lm_head.weight                               (only when not tied to embed_tokens)
// Biases are absent with enable_bias false, LayerNorm parameters with layer_norm_elementwise_affine false.
// A LoRA adapter adds ...{q,k,v,out}_proj.lora_A.weight [r, in] and .lora_B.weight [out, r] (PEFT's names).

/// <summary>Base of the OPT modules: components are registered explicitly under HF's names, never discovered from
/// fields by reflection (TorchSharp's default, which would add names such as <c>&lt;Weight&gt;k__BackingField</c>).</summary>
public abstract class OptModule(string name) : Module<Tensor, Tensor>(name)
{
    /// <summary>Does nothing: every component is registered by name in the constructor.</summary>
    protected override void RegisterComponents() { }
}

/// <summary>A linear layer (y = x Wᵀ + b, HF's nn.Linear) that can carry a LoRA branch:
/// y = base(x) + scaling · B(A(dropout(x))). Registered parameters: <c>weight</c> [out, in] and optional <c>bias</c>.
/// The adapter's <c>lora_A.weight</c> [r, in] and <c>lora_B.weight</c> [out, r] are held apart from the module's
/// registered parameters, so the base state dict never changes; <see cref="OptForCausalLM.LoraParameters"/> names
/// them with PEFT's keys.</summary>
public sealed class OptLinear : OptModule
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private Parameter? _loraA, _loraB;
    private double _loraDropout;

    /// <summary>Creates an uninitialised layer (the weights are loaded or initialised afterwards).</summary>
    public OptLinear(long inFeatures, long outFeatures, bool bias) : base(nameof(OptLinear))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _weight = new Parameter(empty(outFeatures, inFeatures));
        register_parameter("weight", _weight);
        if (bias)
        {
            _bias = new Parameter(empty(outFeatures));
            register_parameter("bias", _bias);
        }
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }
    /// <summary>Output width.</summary>
    public long OutFeatures { get; }
    /// <summary>The weight [out, in].</summary>
    public Parameter Weight => _weight;
    /// <summary>The bias [out], if the layer has one.</summary>
    public Parameter? Bias => _bias;
    /// <summary>lora_A.weight [r, in] when an adapter is attached.</summary>
    public Parameter? LoraA => _loraA;
    /// <summary>lora_B.weight [out, r] when an adapter is attached.</summary>
    public Parameter? LoraB => _loraB;
    /// <summary>The adapter's scaling (alpha / r, or alpha / sqrt(r) for rsLoRA).</summary>
    public double LoraScaling { get; private set; }
    /// <summary>Whether a LoRA branch is attached.</summary>
    public bool HasLora => _loraA is not null;

    /// <summary>Attaches a LoRA branch with PEFT's initialisation: A kaiming-uniform (a = √5, fan-in), B zeros.
    /// The base weight and bias stop requiring gradients.</summary>
    public void AttachLora(int rank, double scaling, double dropout, Generator? generator = null)
    {
        if (HasLora) throw new InvalidOperationException("a LoRA branch is already attached");
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        using (no_grad())
        {
            // kaiming_uniform_(a=√5) on [r, in]: bound = gain·√(3/fan_in), gain = √(2/(1+a²)) = √(1/3) → 1/√in.
            var bound = 1.0 / Math.Sqrt(InFeatures);
            _loraA = new Parameter(empty(rank, InFeatures).uniform_(-bound, bound, generator));
            _loraB = new Parameter(zeros(OutFeatures, rank));
        }
        _loraDropout = dropout;
        LoraScaling = scaling;
    }

    /// <summary>Attaches a LoRA branch with given weights (copied).</summary>
    public void AttachLora(Tensor a, Tensor b, double scaling, double dropout)
    {
        if (HasLora) throw new InvalidOperationException("a LoRA branch is already attached");
        if (a.ndim != 2 || b.ndim != 2 || a.shape[1] != InFeatures || b.shape[0] != OutFeatures || a.shape[0] != b.shape[1])
            throw new ArgumentException($"LoRA shapes A [{string.Join(", ", a.shape)}] and B [{string.Join(", ", b.shape)}] do not fit a [{OutFeatures}, {InFeatures}] weight");
        using (no_grad())
        {
            _loraA = new Parameter(a.to(ScalarType.Float32).clone());
            _loraB = new Parameter(b.to(ScalarType.Float32).clone());
        }
        _loraDropout = dropout;
        LoraScaling = scaling;
    }

    /// <summary>The weight update the adapter stands for: scaling · B @ A, shape [out, in].</summary>
    public Tensor LoraDelta()
    {
        if (!HasLora) throw new InvalidOperationException("no LoRA branch is attached");
        using var _ = no_grad();
        return matmul(_loraB!, _loraA!).mul_(LoraScaling);
    }

    /// <summary>Adds the adapter's update into the weight (W += scaling · B @ A) and removes the branch.</summary>
    public void MergeLora()
    {
        using (var delta = LoraDelta())
        using (no_grad())
            _weight.add_(delta);
        DetachLora();
    }

    /// <summary>Removes the LoRA branch without merging it.</summary>
    public void DetachLora()
    {
        _loraA?.Dispose();
        _loraB?.Dispose();
        _loraA = _loraB = null;
        LoraScaling = 0;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var y = F.linear(x, _weight, _bias);
        if (_loraA is null) return y;
        using var scope = NewDisposeScope();
        var h = _loraDropout > 0 && training ? F.dropout(x, _loraDropout, training) : x;
        var lora = F.linear(F.linear(h, _loraA), _loraB!).mul(LoraScaling);
        return y.add(lora).MoveToOuterDisposeScope();
    }
}

/// <summary>A LayerNorm over the last dimension with eps 1e-5, with or without weight and bias
/// (<c>layer_norm_elementwise_affine</c>).</summary>
public sealed class OptLayerNorm : OptModule
{
    private readonly Parameter? _weight, _bias;
    private readonly long _dim;

    /// <summary>Creates the norm with weight 1 and bias 0.</summary>
    public OptLayerNorm(long dim, bool affine) : base(nameof(OptLayerNorm))
    {
        _dim = dim;
        if (!affine) return;
        _weight = new Parameter(ones(dim));
        _bias = new Parameter(zeros(dim));
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
    }

    /// <summary>The normalised width.</summary>
    public long Dim => _dim;
    /// <summary>The weight, if affine.</summary>
    public Parameter? Weight => _weight;
    /// <summary>The bias, if affine.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => F.layer_norm(x, [_dim], _weight, _bias, 1e-5);
}

/// <summary>OPT's multi-head self-attention (<c>self_attn</c>): separate q/k/v/out projections, q scaled by
/// head_dim^-0.5 after its bias, causal mask, softmax in fp32.</summary>
public sealed class OptAttention : OptModule
{
    private readonly int _heads, _headDim;
    private readonly double _dropout;

    /// <summary>Creates the attention block.</summary>
    public OptAttention(OptConfig config) : base(nameof(OptAttention))
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _dropout = config.AttentionDropout;
        long e = config.HiddenSize;
        QProj = new OptLinear(e, e, config.EnableBias);
        KProj = new OptLinear(e, e, config.EnableBias);
        VProj = new OptLinear(e, e, config.EnableBias);
        OutProj = new OptLinear(e, e, config.EnableBias);
        register_module("q_proj", QProj);
        register_module("k_proj", KProj);
        register_module("v_proj", VProj);
        register_module("out_proj", OutProj);
    }

    /// <summary>q_proj.</summary>
    public OptLinear QProj { get; }
    /// <summary>k_proj.</summary>
    public OptLinear KProj { get; }
    /// <summary>v_proj.</summary>
    public OptLinear VProj { get; }
    /// <summary>out_proj.</summary>
    public OptLinear OutProj { get; }

    /// <summary>Attention over [batch, time, hidden] with a causal mask.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = QProj.call(x).mul(Math.Pow(_headDim, -0.5)).view(b, t, _heads, _headDim).transpose(1, 2);
        var k = KProj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var v = VProj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var scores = matmul(q, k.transpose(-1, -2));
        var mask = ones(t, t, dtype: ScalarType.Bool).triu(1);
        scores = scores.masked_fill(mask, float.NegativeInfinity);
        var probs = F.softmax(scores.to(ScalarType.Float32), -1).to(q.dtype);
        if (_dropout > 0 && training) probs = F.dropout(probs, _dropout, training);
        var context = matmul(probs, v).transpose(1, 2).reshape(b, t, _heads * _headDim);
        return OutProj.call(context).MoveToOuterDisposeScope();
    }
}

/// <summary>One decoder layer (<c>layers.N</c>): pre-LN x + attn(LN(x)), x + fc2(relu(fc1(LN(x)))); post-LN
/// (do_layer_norm_before false) applies each LayerNorm after its residual add instead.</summary>
public sealed class OptDecoderLayer : OptModule
{
    private readonly bool _preLn;
    private readonly double _dropout;

    /// <summary>Creates the layer.</summary>
    public OptDecoderLayer(OptConfig config) : base(nameof(OptDecoderLayer))
    {
        _preLn = config.DoLayerNormBefore;
        _dropout = config.Dropout;
        SelfAttn = new OptAttention(config);
        SelfAttnLayerNorm = new OptLayerNorm(config.HiddenSize, config.LayerNormElementwiseAffine);
        Fc1 = new OptLinear(config.HiddenSize, config.FfnDim, config.EnableBias);
        Fc2 = new OptLinear(config.FfnDim, config.HiddenSize, config.EnableBias);
        FinalLayerNorm = new OptLayerNorm(config.HiddenSize, config.LayerNormElementwiseAffine);
        register_module("self_attn", SelfAttn);
        register_module("self_attn_layer_norm", SelfAttnLayerNorm);
        register_module("fc1", Fc1);
        register_module("fc2", Fc2);
        register_module("final_layer_norm", FinalLayerNorm);
    }

    /// <summary>self_attn.</summary>
    public OptAttention SelfAttn { get; }
    /// <summary>self_attn_layer_norm.</summary>
    public OptLayerNorm SelfAttnLayerNorm { get; }
    /// <summary>fc1.</summary>
    public OptLinear Fc1 { get; }
    /// <summary>fc2.</summary>
    public OptLinear Fc2 { get; }
    /// <summary>final_layer_norm (the layer's FFN norm).</summary>
    public OptLayerNorm FinalLayerNorm { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _preLn ? SelfAttnLayerNorm.call(x) : x;
        h = SelfAttn.call(h);
        if (_dropout > 0 && training) h = F.dropout(h, _dropout, training);
        x = x.add(h);
        if (!_preLn) x = SelfAttnLayerNorm.call(x);
        h = _preLn ? FinalLayerNorm.call(x) : x;
        h = Fc2.call(F.relu(Fc1.call(h)));
        if (_dropout > 0 && training) h = F.dropout(h, _dropout, training);
        x = x.add(h);
        if (!_preLn) x = FinalLayerNorm.call(x);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>The decoder (<c>model.decoder</c>): embeddings, optional project_in, layers, optional final LayerNorm,
/// optional project_out.</summary>
public sealed class OptDecoder : OptModule
{
    /// <summary>HF's OPTLearnedPositionalEmbedding offset: position p reads row p + 2.</summary>
    public const int PositionOffset = 2;

    /// <summary>Creates the decoder with uninitialised weights.</summary>
    public OptDecoder(OptConfig config) : base(nameof(OptDecoder))
    {
        Config = config;
        EmbedTokens = new Parameter(empty(config.VocabSize, config.WordEmbedProjDim));
        EmbedPositions = new Parameter(empty(config.MaxPositionEmbeddings + PositionOffset, config.HiddenSize));
        register_module("embed_tokens", new ParameterHolder(EmbedTokens));
        register_module("embed_positions", new ParameterHolder(EmbedPositions));
        if (config.HasProjection)
        {
            ProjectOut = new OptLinear(config.HiddenSize, config.WordEmbedProjDim, bias: false);
            ProjectIn = new OptLinear(config.WordEmbedProjDim, config.HiddenSize, bias: false);
            register_module("project_out", ProjectOut);
            register_module("project_in", ProjectIn);
        }
        if (config.HasFinalLayerNorm)
        {
            FinalLayerNorm = new OptLayerNorm(config.HiddenSize, config.LayerNormElementwiseAffine);
            register_module("final_layer_norm", FinalLayerNorm);
        }
        Layers = new ModuleList<OptDecoderLayer>([.. Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new OptDecoderLayer(config))]);
        register_module("layers", Layers);
    }

    /// <summary>The configuration.</summary>
    public OptConfig Config { get; }
    /// <summary>embed_tokens.weight [vocab, word_embed_proj_dim].</summary>
    public Parameter EmbedTokens { get; }
    /// <summary>embed_positions.weight [max_positions + 2, hidden].</summary>
    public Parameter EmbedPositions { get; }
    /// <summary>project_in (word_embed_proj_dim → hidden), if any.</summary>
    public OptLinear? ProjectIn { get; }
    /// <summary>project_out (hidden → word_embed_proj_dim), if any.</summary>
    public OptLinear? ProjectOut { get; }
    /// <summary>final_layer_norm, if any.</summary>
    public OptLayerNorm? FinalLayerNorm { get; }
    /// <summary>The layers.</summary>
    public ModuleList<OptDecoderLayer> Layers { get; }

    /// <summary>Hidden states [batch, time, word_embed_proj_dim] for token ids [batch, time] (positions 0..time-1,
    /// causal; batches are right-padded so every real token sees only real tokens).</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        if (t > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"sequence of {t} tokens is longer than max_position_embeddings {Config.MaxPositionEmbeddings}");
        var x = EmbedTokens.index_select(0, inputIds.reshape(-1)).view(b, t, EmbedTokens.shape[1]);
        if (ProjectIn is not null) x = ProjectIn.call(x);
        var positions = arange(PositionOffset, t + PositionOffset, dtype: ScalarType.Int64);
        x = x.add(EmbedPositions.index_select(0, positions));
        foreach (var layer in Layers) x = layer.call(x);
        if (FinalLayerNorm is not null) x = FinalLayerNorm.call(x);
        if (ProjectOut is not null) x = ProjectOut.call(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Holds one parameter named <c>weight</c>, so embeddings keep HF's key (embed_tokens.weight) without
    /// nn.Embedding's extra options.</summary>
    private sealed class ParameterHolder : Module
    {
        public ParameterHolder(Parameter weight) : base(nameof(ParameterHolder)) => register_parameter("weight", weight);

        protected override void RegisterComponents() { }
    }
}

/// <summary><c>model</c>: OPTModel, which only wraps the decoder.</summary>
public sealed class OptModel : OptModule
{
    /// <summary>Creates the model.</summary>
    public OptModel(OptConfig config) : base(nameof(OptModel))
    {
        Decoder = new OptDecoder(config);
        register_module("decoder", Decoder);
    }

    /// <summary>model.decoder.</summary>
    public OptDecoder Decoder { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor inputIds) => Decoder.call(inputIds);
}

/// <summary>OPTForCausalLM: the decoder and the LM head (tied to embed_tokens, or its own <c>lm_head.weight</c>).
/// <see cref="Module{T, TResult}.forward"/> maps token ids [batch, time] to logits [batch, time, vocab].</summary>
public sealed class OptForCausalLM : OptModule
{
    /// <summary>The projections a LoRA adapter may target, by PEFT's module names.</summary>
    public static IReadOnlyList<string> LoraTargets { get; } = ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"];

    /// <summary>Creates the model with uninitialised weights; load them, or call <see cref="InitializeRandom"/>.</summary>
    public OptForCausalLM(OptConfig config) : base(nameof(OptForCausalLM))
    {
        config.Validate("config");
        Config = config;
        Model = new OptModel(config);
        register_module("model", Model);
        if (!config.TieWordEmbeddings)
        {
            LmHead = new OptLinear(config.WordEmbedProjDim, config.VocabSize, bias: false);
            register_module("lm_head", LmHead);
        }
    }

    /// <summary>The configuration.</summary>
    public OptConfig Config { get; }
    /// <summary>model.</summary>
    public OptModel Model { get; }
    /// <summary>lm_head when untied; null when tied to embed_tokens.</summary>
    public OptLinear? LmHead { get; }
    /// <summary>model.decoder.</summary>
    public OptDecoder Decoder => Model.Decoder;

    /// <summary>The LM head's weight [vocab, word_embed_proj_dim] (embed_tokens' when tied).</summary>
    public Parameter LmHeadWeight => LmHead?.Weight ?? Decoder.EmbedTokens;

    /// <inheritdoc />
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var h = Model.call(inputIds);
        return F.linear(h, LmHeadWeight).MoveToOuterDisposeScope();
    }

    /// <summary>Every projection a LoRA adapter can target, with its PEFT module path
    /// (model.decoder.layers.N.self_attn.q_proj, ...).</summary>
    public IEnumerable<(string Path, string Name, int Layer, OptLinear Module)> Projections()
    {
        for (var i = 0; i < Decoder.Layers.Count; i++)
        {
            var layer = Decoder.Layers[i];
            var attn = $"model.decoder.layers.{i}.self_attn.";
            yield return (attn + "q_proj", "q_proj", i, layer.SelfAttn.QProj);
            yield return (attn + "k_proj", "k_proj", i, layer.SelfAttn.KProj);
            yield return (attn + "v_proj", "v_proj", i, layer.SelfAttn.VProj);
            yield return (attn + "out_proj", "out_proj", i, layer.SelfAttn.OutProj);
            yield return ($"model.decoder.layers.{i}.fc1", "fc1", i, layer.Fc1);
            yield return ($"model.decoder.layers.{i}.fc2", "fc2", i, layer.Fc2);
        }
    }

    /// <summary>The base model's parameters by HF key (no lm_head.weight when tied).</summary>
    public IEnumerable<(string Key, Parameter Value)> BaseParameters() => named_parameters();

    /// <summary>The attached LoRA parameters by PEFT key without the base_model.model. prefix
    /// (model.decoder.layers.N.self_attn.q_proj.lora_A.weight, ...).</summary>
    public IEnumerable<(string Key, Parameter Value)> LoraParameters()
    {
        foreach (var (path, _, _, module) in Projections())
        {
            if (!module.HasLora) continue;
            yield return (path + ".lora_A.weight", module.LoraA!);
            yield return (path + ".lora_B.weight", module.LoraB!);
        }
    }

    /// <summary>HF's _init_weights: linear and embedding weights ~ N(0, init_std), biases 0, LayerNorms 1 / 0, the
    /// padding token's embedding row 0. Deterministic for a seed.</summary>
    public void InitializeRandom(long seed)
    {
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (key, p) in BaseParameters())
        {
            if (key.EndsWith("layer_norm.weight", StringComparison.Ordinal)) p.fill_(1);
            else if (key.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, Config.InitStd, generator);
        }
        if (Config.PadTokenId is int pad && pad >= 0 && pad < Config.VocabSize) Decoder.EmbedTokens[pad].zero_();
    }

    /// <summary>Logits of the last position for one sequence of token ids (no gradient, evaluation mode kept as is).</summary>
    public float[] LastLogits(IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64).unsqueeze(0);
        var logits = call(input);
        return logits[0, -1].to(ScalarType.Float32).data<float>().ToArray();
    }
}
