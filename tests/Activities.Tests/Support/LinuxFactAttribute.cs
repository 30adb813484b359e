namespace Rlhf.Activities.Tests.Support;

/// <summary>A fact about Linux process states (<c>/proc/{pid}/stat</c>): skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux /proc process states";
        }
    }
}
