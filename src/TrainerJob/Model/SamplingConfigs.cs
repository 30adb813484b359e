namespace Rlhf.TrainerJob.Model;

/// <summary>The sampler options of the <c>sample</c> config (the record lives in Rlhf.TrainerContracts, which has no TorchSharp).</summary>
public static class SampleConfigSampling
{
    extension(SampleConfig config)
    {
        public SamplingOptions Sampling => new(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP);
    }
}

/// <summary>The sampler options of the <c>evaluate</c> config.</summary>
public static class EvaluateConfigSampling
{
    extension(EvaluateConfig config)
    {
        public SamplingOptions Sampling => new(config.MaxNewTokens, config.Temperature, config.TopK, config.TopP);
    }
}
