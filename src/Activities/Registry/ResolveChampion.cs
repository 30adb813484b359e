using Microsoft.DurableTask;
using Rlhf.Core.Contracts;

namespace Rlhf.Activities.Registry;

/// <summary>The published champion, or null before the first promotion.</summary>
public sealed class ResolveChampion(ModelRegistry registry) : TaskActivity<object?, Champion?>
{
    public override Task<Champion?> RunAsync(TaskActivityContext context, object? input) => registry.GetChampionAsync();
}
