using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Rlhf.Cli.Hosting;
using Rlhf.Core.Telemetry;
using Rlhf.Tests.Shared;

namespace Rlhf.Cli.Tests;

/// <summary>
/// The local host's engine keeps the Durable Task SDK's trace whole where the gRPC sidecar and the Azure Storage provider
/// lose context between them (<see cref="SidecarTraceContext"/>): a sub-orchestration's spans hang under its parent's,
/// and a generation started by continue-as-new, with the activity it schedules first, stays in the trace.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EngineTraceTests(AzuriteFixture azurite)
{
    private const string Echo = "TraceEcho";

    [Fact]
    public async Task Sub_orchestrations_and_continued_as_new_generations_stay_in_the_callers_trace()
    {
        var spans = new List<Activity>();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var host = await LocalHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            Storage = azurite.ConnectionString,
            TaskHub = $"t{suffix}",
            Container = $"c{suffix}",
            DataDir = Path.Combine(Path.GetTempPath(), $"rlhf-trace-{suffix}"),
            SeedDatasets = false,
            Telemetry = TelemetryExport.None.WithInProcess(t => t.AddInMemoryExporter(spans), null),
            ExtraTasks = r => r
                .AddOrchestrator<TraceParentProbe>()
                .AddOrchestrator<TraceChildProbe>()
                .AddActivityFunc<int, int>(Echo, (_, generation) => generation),
        });
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(TraceParentProbe));

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var all = spans.ToList();
        Assert.All(all, s => Assert.Equal(all[0].TraceId, s.TraceId));
        // connected: one root, the client's create span, and every other span's parent exported too
        var ids = all.Select(s => s.SpanId).ToHashSet();
        Assert.Equal($"create_orchestration:{nameof(TraceParentProbe)}", Assert.Single(all, s => !ids.Contains(s.ParentSpanId)).DisplayName);
        Assert.Equal(
            [
                $"activity:{Echo}", $"activity:{Echo}", $"activity:{Echo}", $"activity:{Echo}",
                $"create_orchestration:{nameof(TraceParentProbe)}",
                $"orchestration:{nameof(TraceChildProbe)}", $"orchestration:{nameof(TraceChildProbe)}", $"orchestration:{nameof(TraceChildProbe)}",
                $"orchestration:{nameof(TraceParentProbe)}",
            ],
            all.Select(s => s.DisplayName).Order(StringComparer.Ordinal));

        // both generations of the child run under the parent's client span of the sub-orchestration, each with its echo
        var child = all.Single(s => s.DisplayName == $"orchestration:{nameof(TraceChildProbe)}" && s.Kind == ActivityKind.Client);
        var generations = all.Where(s => s.DisplayName == $"orchestration:{nameof(TraceChildProbe)}" && s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(2, generations.Count);
        Assert.All(generations, g => Assert.Equal(child.SpanId, g.ParentSpanId));
        Assert.All(generations, g => Assert.Single(all, s => s.DisplayName == $"activity:{Echo}" && s.Kind == ActivityKind.Client && s.ParentSpanId == g.SpanId));
    }

    /// <summary>Calls <see cref="TraceChildProbe"/> as a sub-orchestration.</summary>
    private sealed class TraceParentProbe : TaskOrchestrator<object?, int>
    {
        public override Task<int> RunAsync(TaskOrchestrationContext context, object? input) =>
            context.CallSubOrchestratorAsync<int>(nameof(TraceChildProbe), 0);
    }

    /// <summary>Echoes its generation through an activity, continues as new once, returns from the second generation.</summary>
    private sealed class TraceChildProbe : TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, int generation)
        {
            var echoed = await context.CallActivityAsync<int>(Echo, generation);
            if (echoed == 0)
            {
                context.ContinueAsNew(1);
                return 0;
            }

            return echoed;
        }
    }
}
