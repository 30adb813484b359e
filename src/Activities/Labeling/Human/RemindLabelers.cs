using System.Globalization;
using System.Net.Http.Json;
using Microsoft.DurableTask;
using Rlhf.Core.Artifacts;
using Rlhf.Core.Contracts;
using Rlhf.Core.Json;

namespace Rlhf.Activities.Labeling.Human;

/// <summary>
/// A human batch's wait timed out under policy <c>remind</c>: say who has submitted and who is still missing, record it
/// write-once at <c>runs/{runId}/labels/reminders/batch-NNNN-R.json</c> (the report and <c>rlhf run show</c> can tell
/// people were chased), and post it to the run's webhook when <c>labeling.human.notifyUrlSetting</c> names one.
/// A retry finds the record and returns it; a crash between the post and the record posts twice, never zero times.
/// </summary>
public sealed class RemindLabelers(IArtifactStore store) : TaskActivity<RemindLabelersInput, LabelingReminder>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static string PathOf(string runId, int batchIndex, int reminder) =>
        $"{ArtifactLayout.Run(runId)}/labels/reminders/batch-{batchIndex:D4}-{reminder}.json";

    public override async Task<LabelingReminder> RunAsync(TaskActivityContext context, RemindLabelersInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = PathOf(input.RunId, input.BatchIndex, input.Reminder);
        if (await store.ExistsAsync(path))
        {
            return await store.ReadJsonAsync<LabelingReminder>(path);
        }

        var submitted = (await new HumanSubmissionStore(store).ListAsync(input.RunId, input.BatchIndex)).Select(s => s.Labeler).ToList();
        var reminder = new LabelingReminder(input.RunId, input.BatchIndex, input.Reminder, input.MaxReminders, input.Required, submitted, TextOf(input, submitted));
        if (WebhookOf(input.NotifyUrlSetting) is { } webhook)
        {
            using var response = await Http.PostAsJsonAsync(webhook, reminder, JsonDefaults.Options);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"The labeling webhook ({input.NotifyUrlSetting}) answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }

            reminder = reminder with { Posted = true };
        }

        await store.PutJsonAsync(path, reminder);
        return reminder;
    }

    private static string TextOf(RemindLabelersInput input, IReadOnlyList<string> submitted)
    {
        var missing = Math.Max(0, input.Required - submitted.Count);
        var waited = input.Waited.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{input.Waited.TotalHours:0.#} h")
            : string.Create(CultureInfo.InvariantCulture, $"{input.Waited.TotalMinutes:0.#} min");
        var who = submitted.Count == 0 ? "nobody yet" : string.Join(", ", submitted);
        return $"Run {input.RunId}: labeling batch {input.BatchIndex} still needs {missing} of {input.Required} labeler(s) after {waited} " +
               $"(submitted: {who}). Reminder {input.Reminder} of {input.MaxReminders}; links: rlhf label links {input.RunId}.";
    }

    /// <summary>The webhook URL from the named app setting; a named but missing or malformed setting is an error, not a silent skip.</summary>
    private static Uri? WebhookOf(string? setting)
    {
        if (setting is null)
        {
            return null;
        }

        var value = Environment.GetEnvironmentVariable(setting);
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"labeling.human.notifyUrlSetting names app setting '{setting}', which {(value is null ? "is not set" : "does not hold an http(s) URL")}.");
    }
}
