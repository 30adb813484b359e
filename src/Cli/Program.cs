using Rlhf.Cli;

return await CliApp.RunAsync(args, CliIo.Console);
