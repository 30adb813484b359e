using System.Runtime.InteropServices;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;
using Rlhf.TrainerJob.Runtime;

// rlhf-trainer <verb> --spec <file-or-blob-uri>: see TrainerCli. SIGINT/SIGTERM cancel the job, which then
// records status Failed ("cancelled"); its checkpoints let a resubmission resume. Telemetry goes where the environment
// says (docs/telemetry.md) and is flushed before the process exits, whichever way the attempt ended.
TelemetryExport export;
try
{
    export = TelemetryExport.FromEnvironment();
}
catch (InvalidOperationException e)
{
    await Console.Error.WriteLineAsync($"rlhf-trainer: invalid telemetry setting: {e.Message}");
    return JobExitCodes.InvalidSpec;
}

using var telemetry = TrainerTelemetry.Start(export);
using var cancellation = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});
return await TrainerCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
