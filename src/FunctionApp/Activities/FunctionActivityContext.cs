using Microsoft.DurableTask;

namespace Rlhf.FunctionApp.Activities;

/// <summary>The <see cref="TaskActivityContext"/> an activity class sees when it runs behind an <c>[ActivityTrigger]</c> function.</summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;
}
