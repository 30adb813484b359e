namespace Rlhf.Api.Tests.Report;

/// <summary>A fact that needs a headless browser: skipped, with the reason, where <c>/usr/bin/chromium</c> is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium))
        {
            Skip = $"{Chromium} is not installed (scripts/bootstrap.sh installs it; RLHF_SKIP_BROWSER=1 skips it).";
        }
    }
}
