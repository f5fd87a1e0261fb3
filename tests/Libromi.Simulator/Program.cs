using Libromi.Simulator;

await SimulatorApp.Build(args).RunAsync();
