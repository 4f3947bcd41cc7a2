using Waybill.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
