using System.Security.Cryptography;
using System.Text;
using Rlhf.Core.Labeling;

namespace Rlhf.Labeling.Tests;

public sealed class LabelTokensTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Issued_token_verifies_with_its_claims_and_links_differ_by_nonce()
    {
        var tokens = new LabelTokens(Key, _clock);

        var first = tokens.Issue("run-1", 3, "alice", TimeSpan.FromHours(24));
        var second = tokens.Issue("run-1", 3, "alice", TimeSpan.FromHours(24));
        var check = tokens.Verify(first, "run-1", 3);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(("run-1", 3, "alice"), (check.Claims!.RunId, check.Claims.BatchIndex, check.Claims.Labeler));
        Assert.Equal(_clock.GetUtcNow().AddHours(24), check.Claims.ExpiresAt);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Token_signed_with_another_key_is_a_bad_signature()
    {
        var forged = new LabelTokens(RandomNumberGenerator.GetBytes(32), _clock).Issue("run-1", 0, "alice", TimeSpan.FromHours(1));

        var check = new LabelTokens(Key, _clock).Verify(forged);

        Assert.Equal(LabelTokenFailure.BadSignature, check.Failure);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Claims_edited_to_another_run_or_batch_break_the_signature()
    {
        var tokens = new LabelTokens(Key, _clock);
        var token = tokens.Issue("run-1", 0, "alice", TimeSpan.FromHours(1));
        var signature = token.Split('.')[1];
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]));
        Assert.Contains("\"r\":\"run-1\"", payload, StringComparison.Ordinal);

        var otherRun = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace("run-1", "run-2", StringComparison.Ordinal)));
        var otherBatch = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace("\"b\":0", "\"b\":1", StringComparison.Ordinal)));

        Assert.Equal(LabelTokenFailure.BadSignature, tokens.Verify($"{otherRun}.{signature}").Failure);
        Assert.Equal(LabelTokenFailure.BadSignature, tokens.Verify($"{otherBatch}.{signature}").Failure);
    }

    [Fact]
    public void Token_expires_at_its_expiry_to_the_second()
    {
        var tokens = new LabelTokens(Key, _clock);
        var token = tokens.Issue("run-1", 0, "alice", TimeSpan.FromMinutes(30));

        _clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        Assert.True(tokens.Verify(token).IsValid);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var check = tokens.Verify(token);

        Assert.Equal(LabelTokenFailure.Expired, check.Failure);
        Assert.Contains("expired", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Genuine_token_used_for_another_run_or_batch_is_out_of_scope()
    {
        var tokens = new LabelTokens(Key, _clock);
        var token = tokens.Issue("run-1", 2, "alice", TimeSpan.FromHours(1));

        Assert.Equal(LabelTokenFailure.WrongScope, tokens.Verify(token, "run-2", 2).Failure);
        Assert.Equal(LabelTokenFailure.WrongScope, tokens.Verify(token, "run-1", 3).Failure);
        Assert.True(tokens.Verify(token, "run-1", 2).IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    public void Malformed_tokens_are_refused(string? token) =>
        Assert.Equal(LabelTokenFailure.Malformed, new LabelTokens(Key, _clock).Verify(token).Failure);

    [Fact]
    public void Validly_signed_claims_that_are_not_claims_are_malformed()
    {
        var payload = System.Buffers.Text.Base64Url.EncodeToString("{\"x\":1}"u8);
        var mac = System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(payload)));

        Assert.Equal(LabelTokenFailure.Malformed, new LabelTokens(Key, _clock).Verify($"{payload}.{mac}").Failure);
    }

    [Fact]
    public void Short_keys_and_unsafe_labeler_ids_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LabelTokens(new byte[31], _clock));
        var tokens = new LabelTokens(Key, _clock);
        Assert.Throws<ArgumentException>(() => tokens.Issue("run-1", 0, "../etc", TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentException>(() => tokens.Issue("run-1", 0, "Alice", TimeSpan.FromHours(1)));
        Assert.Null(LabelTokens.FindLabelerError("alice.b_2-x"));
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
