using Rlhf.TrainerJob.Model;
using TorchSharp;

namespace Rlhf.TrainerJob.Tests.Model;

public sealed class DecodeThreadsTests
{
    [Fact]
    public void Step_cost_is_rows_times_width_times_head_plus_block_projections()
    {
        // words demo model: vocab 4354, width 96, 2 layers; 8 rows → 8 × 96 × (4354 + 12 × 96 × 2) = 8 × 96 × 6658
        var demo = new GptConfig(VocabSize: 4354, NPositions: 160, NEmbd: 96, NLayer: 2, NHead: 4);
        Assert.Equal(5_113_344L, DecodeThreads.StepMacs(demo, 8));

        // GPT-2 124M: 2 × 768 × (50257 + 12 × 768 × 12) = 2 × 768 × 160,849 = 247,064,064: above the one-thread bound (keeps the configured threads)
        var gpt2 = new GptConfig(VocabSize: 50257, NPositions: 1024, NEmbd: 768, NLayer: 12, NHead: 12);
        Assert.Equal(247_064_064L, DecodeThreads.StepMacs(gpt2, 2));
        Assert.True(DecodeThreads.StepMacs(gpt2, 2) >= DecodeThreads.SmallStepMacs);
        Assert.True(DecodeThreads.StepMacs(demo, 64) < DecodeThreads.SmallStepMacs);
    }

    [Fact]
    public void Small_cached_steps_run_on_one_thread_until_disposed_and_large_ones_keep_the_count()
    {
        using var model = TinyGpt.Create();
        var before = torch.get_num_threads();
        torch.set_num_threads(2);                                                             // this thread's setting
        try
        {
            using (DecodeThreads.Limit(model, rows: 4))
            {
                Assert.Equal(1, torch.get_num_threads());
            }

            Assert.Equal(2, torch.get_num_threads());

            var rowsForLargeSteps = (int)(DecodeThreads.SmallStepMacs / DecodeThreads.StepMacs(TinyGpt.Config, 1)) + 1;
            using (DecodeThreads.Limit(model, rowsForLargeSteps))
            {
                Assert.Equal(2, torch.get_num_threads());
            }
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
