namespace Rlhf.Api.Tests;

public sealed class ErrorTextTests
{
    [Fact]
    public void Stack_frames_and_server_paths_are_removed_and_the_message_kept()
    {
        const string error = """
            Rlhf.Orchestrations.JobFailedException: Job 'sft' failed: params.steps must be > 0 (log /work/main/data/jobs/sft/stderr.log)
               at Rlhf.Orchestrations.RunTrainingJob.RunAsync(TaskOrchestrationContext context) in /work/main/src/Orchestrations/RunTrainingJob.cs:line 88
               at System.Runtime.CompilerServices.AsyncMethodBuilderCore.Start[TStateMachine](TStateMachine& stateMachine)
            --- End of stack trace from previous location ---
            Inner: C:\agent\_work\1\s\src\Core\X.cs failed
            """;

        var clean = ErrorText.Sanitize(error)!;

        Assert.StartsWith("Rlhf.Orchestrations.JobFailedException: Job 'sft' failed: params.steps must be > 0", clean, StringComparison.Ordinal);
        Assert.DoesNotContain("/work/", clean, StringComparison.Ordinal);
        Assert.DoesNotContain(@"C:\", clean, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", clean, StringComparison.Ordinal);
        Assert.DoesNotContain("line 88", clean, StringComparison.Ordinal);
        Assert.Contains("(log <path>)", clean, StringComparison.Ordinal);
        Assert.Equal("runs/x/sft failed, see https://example.com/a/b", ErrorText.Sanitize("runs/x/sft failed, see https://example.com/a/b"));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhIjoxfQ.AAAA")]
    [InlineData(".")]
    [InlineData("a.b.c")]
    public void Continuation_tokens_not_issued_by_the_api_are_refused(string token) => Assert.False(ContinuationTokens.TryUnwrap(token, out _));

    [Fact]
    public void Issued_continuation_tokens_round_trip()
    {
        const string provider = """{"nextPartitionKey":"a b","nextRowKey":"1"}""";
        Assert.True(ContinuationTokens.TryUnwrap(ContinuationTokens.Wrap(provider), out var back));
        Assert.Equal(provider, back);
    }
}
