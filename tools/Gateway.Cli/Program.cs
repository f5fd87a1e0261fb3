using Libromi.Gateway.Cli;
using Spectre.Console;

return args switch
{
    ["integrations", "test", ..] => await IntegrationsTestCommand.RunAsync(args, AnsiConsole.Console, CancellationToken.None),
    ["integrations", ..] => IntegrationsCheckCommand.Run(args, AnsiConsole.Console),
    _ => await ImportCommand.RunAsync(args, AnsiConsole.Console, CancellationToken.None),
};
