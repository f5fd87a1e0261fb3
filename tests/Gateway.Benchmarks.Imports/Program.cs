using Libromi.Gateway.Benchmarks.Imports;

// Parent: starts Azurite and runs each size in a fresh gateway process, so each peak is that size's own.
// Child (--child N CONNECTION): one gateway, the one-message-per-row baseline, then one import of N rows.
// Child (--child-element MB LIMIT CONNECTION): the same, then a JSON file with one MB-megabyte element.
var invariant = System.Globalization.CultureInfo.InvariantCulture;
return args switch
{
    ["--child", var rows, var connection] => await ImportRun.RunChildAsync(int.Parse(rows, invariant), connection),
    ["--child-element", var megabytes, var limit, var connection] => await ImportRun.RunElementChildAsync(int.Parse(megabytes, invariant), int.Parse(limit, invariant), connection),
    [] => await ImportBenchmark.RunAsync(["10000", "100000", "element:20"]),
    _ => await ImportBenchmark.RunAsync(args),
};
