using System.Globalization;
using System.Text.RegularExpressions;

namespace Rlhf.Core.Runs;

/// <summary>
/// The shapes Azure gives the values of <see cref="AzureMlSpec"/> (and of the host's <c>Rlhf:AzureMl</c> settings), each
/// with the sentence an error shows. They go into ARM URL paths and a job's command line, so nothing else passes: a value
/// that fits these rules needs no escaping.
/// </summary>
public static partial class AzureMlNames
{
    /// <summary>Shortest <c>limits.timeout</c> a spec may ask for.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Longest <c>limits.timeout</c> a spec may ask for (as <c>compute.jobTimeoutMinutes</c>).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(7);

    /// <summary>Longest image reference accepted.</summary>
    public const int MaxImageLength = 512;

    public const string SubscriptionIdRule = "a subscription id is a GUID (00000000-0000-0000-0000-000000000000)";
    public const string ResourceGroupRule = "a resource group name is 1-90 characters of letters, digits, '_', '-', '.', '(' and ')', not ending in '.'";
    public const string WorkspaceRule = "a workspace name is 3-33 characters of letters, digits, '_' and '-', starting with a letter or digit";
    public const string ComputeRule = "a compute name is 2-16 characters of letters, digits and '-', starting with a letter and ending with a letter or digit";
    public const string InstanceTypeRule = "an instance type is a VM size such as Standard_NC4as_T4_v3 (1-64 letters, digits and '_', starting with a letter)";
    public const string ImageRule = "an image is {registry host}/{repository}[:tag][@sha256:digest] with a lowercase repository, at most 512 characters";
    public const string TimeoutRule = "a timeout is an ISO 8601 duration of days, hours, minutes and seconds such as PT4H or P1DT12H, from PT1M to P7D";

    public static bool IsSubscriptionId(string value) => Guid.TryParseExact(value, "D", out _);

    public static bool IsResourceGroup(string value) => ResourceGroup().IsMatch(value) && !value.EndsWith('.');

    public static bool IsWorkspace(string value) => Workspace().IsMatch(value);

    public static bool IsCompute(string value) => Compute().IsMatch(value);

    public static bool IsInstanceType(string value) => InstanceType().IsMatch(value);

    /// <summary>The registry host (lowercase, with its port if any) of a well-formed image reference; null when it is not one.</summary>
    public static string? RegistryOf(string image) =>
        image.Length <= MaxImageLength && Image().Match(image) is { Success: true } m ? m.Groups["registry"].Value : null;

    /// <summary>A registry host name as <c>Rlhf:AzureMl:AllowedRegistries</c> lists them (<c>myacr.azurecr.io</c>, <c>host:5000</c>).</summary>
    public static bool IsRegistry(string value) => Registry().IsMatch(value);

    /// <summary>Parses a timeout (<see cref="TimeoutRule"/>); false when it is malformed or out of bounds.</summary>
    public static bool TryParseTimeout(string value, out TimeSpan timeout)
    {
        timeout = default;
        if (Duration().Match(value) is not { Success: true } m || (m.Groups["t"].Success && !m.Groups["h"].Success && !m.Groups["m"].Success && !m.Groups["s"].Success))
        {
            return false;
        }

        double Part(string name) => m.Groups[name].Success ? double.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var total = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
        if (total < MinTimeout || total > MaxTimeout)
        {
            return false;
        }

        timeout = total;
        return true;
    }

    /// <summary>A timeout as ARM takes it (<c>PT2H</c>, <c>P1DT30M</c>).</summary>
    public static string FormatTimeout(TimeSpan timeout) => System.Xml.XmlConvert.ToString(timeout);

    [GeneratedRegex(@"^[A-Za-z0-9_.()-]{1,90}$")]
    private static partial Regex ResourceGroup();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{2,32}$")]
    private static partial Regex Workspace();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9-]{0,14}[A-Za-z0-9]$")]
    private static partial Regex Compute();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex InstanceType();

    /// <summary>A registry host: DNS labels with at least one dot (or a port), so a Docker Hub short name is never taken for one.</summary>
    [GeneratedRegex(@"^(?=[a-z0-9.:-]{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?((\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?|:[0-9]{1,5})$")]
    private static partial Regex Registry();

    [GeneratedRegex(@"^(?<registry>[a-z0-9]([a-z0-9-]*[a-z0-9])?((\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?|:[0-9]{1,5}))/(?<repository>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*)(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:(?<digest>[a-f0-9]{64}))?$")]
    private static partial Regex Image();

    [GeneratedRegex(@"^P(?:(?<d>[0-9]{1,3})D)?(?<t>T(?:(?<h>[0-9]{1,4})H)?(?:(?<m>[0-9]{1,6})M)?(?:(?<s>[0-9]{1,8})S)?)?$")]
    private static partial Regex Duration();
}
