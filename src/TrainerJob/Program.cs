using System.Runtime.InteropServices;
using Rlhf.TrainerJob.Runtime;

// rlhf-trainer <verb> --spec <file-or-blob-uri>: see TrainerCli. SIGINT/SIGTERM cancel the job, which then
// records status Failed ("cancelled"); its checkpoints let a resubmission resume.
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
