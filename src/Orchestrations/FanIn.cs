namespace Rlhf.Orchestrations;

internal static class FanIn
{
    /// <summary>Awaits every task (deterministic: Task.WhenAny over durable tasks), reporting progress as each completes; rethrows the first failure.</summary>
    public static async Task WhenAllWithProgressAsync<T>(IReadOnlyList<Task<T>> tasks, Action<int, int> progress)
    {
        var pending = tasks.ToList<Task>();
        progress(0, tasks.Count);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            await done;
            progress(tasks.Count - pending.Count, tasks.Count);
        }
    }
}
