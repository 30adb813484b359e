namespace Rlhf.Cli;

/// <summary>Process exit codes of <c>rlhf</c>, for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments, an API error or an unreachable endpoint.</summary>
    public const int Error = 1;

    /// <summary>The watched run ended without completing (failed or canceled).</summary>
    public const int RunNotCompleted = 2;
}
