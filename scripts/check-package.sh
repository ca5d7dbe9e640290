#!/usr/bin/env bash
# Checks that the NuGet packages work for a user outside this repository: packs them (with a version of their own, so
# that no earlier package in the NuGet cache is taken instead) into a temporary folder, creates a fresh console project
# in /tmp that references `AutoBatch` from that folder (nuget.org for its dependencies), writes a few lines of the
# library's API (a small CNN, a Fashion-MNIST subset, the noise-scale schedule, 2 epochs), builds and runs it.
# Ends with "package check: ok (...)" or fails. The folder is kept for inspection: its path is printed first.
# Needs the prerequisites of the build (scripts/install-prerequisites.sh) and dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d /tmp/autobatch-package-check.XXXXXX)"
version="0.1.0-check.$(date -u +%Y%m%d%H%M%S)"
echo "package check in $work, version $version"

dotnet pack AutoBatch.sln -c Release -nologo -v q -p:Version="$version" -o "$work/packages"

dotnet new console -n Consumer -f net10.0 -o "$work/consumer" >/dev/null
cd "$work/consumer"
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="autobatch" value="$work/packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
dotnet add package AutoBatch --version "$version" >/dev/null
cat > Program.cs <<'CS'
using AutoBatch.Controller.Library;
using TorchSharp;
using static TorchSharp.torch;

var (train, test) = LabelledData.Load(trainSubset: 512, testSubset: 256);
random.manual_seed(1);
var model = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(4 * 7 * 7, 10));
var options = new AutoBatchOptions { OutputFolder = "run", Schedule = Schedule.NoiseScale, Epochs = 2, BatchSize = 32, LearningRate = 0.1, ProbeInterval = 2 };
var trainer = new AutoBatchTrainer(model, train, test, options, name: "consumer");
await foreach (TrainingEvent e in trainer.TrainAsync())
{
    Console.WriteLine(e is EpochCompleted x ? $"epoch {x.Record.Epoch}: B = {x.Record.BatchSize}, test error {x.Record.TestError:P2}, C̄_K {x.Record.ConditionMean:G4}" : e.GetType().Name);
}

Console.WriteLine($"package check: ok ({trainer.ModelName}, final test error {trainer.Summary!.FinalTestError:P2}, {trainer.Summary.Iterations} iterations)");
CS
dotnet build -c Release -nologo -v q
dotnet run -c Release --no-build | tee run.log
grep -q "^package check: ok" run.log
