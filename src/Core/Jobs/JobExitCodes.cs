namespace Rlhf.Core.Jobs;

/// <summary>The exit codes of <c>rlhf-trainer</c>, the contract job runners act on.</summary>
public static class JobExitCodes
{
    /// <summary>The job finished and its manifest is written (or was already written by an earlier attempt).</summary>
    public const int Succeeded = 0;

    /// <summary>The job started and failed; <c>status.json</c> says Failed with the message. Retrying may help (it resumes from the last checkpoint).</summary>
    public const int Failed = 1;

    /// <summary>
    /// The command line or the spec is invalid (nothing was written), or an input's data is (status.json says Failed with the
    /// file and line). Retrying cannot help.
    /// </summary>
    public const int InvalidSpec = 2;
}
