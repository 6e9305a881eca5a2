using System.Diagnostics;
using WebEngine.Data;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Registry;

// Pulls one image into a fresh data root with WebEngine's image store (download, verify, unpack, record), for
// bench/images-pull.sh. Prints the image id and the milliseconds the pull itself took.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: images-pull DATA_ROOT REFERENCE");
    return 2;
}
var dataRoot = args[0];
var database = WebEngineDatabase.Open(Path.Combine(dataRoot, "webengine.db"));
var images = new ImageService(new ImageStoreOptions { DataRoot = dataRoot }, database);
var stopwatch = Stopwatch.StartNew();
var image = await new ImagePuller(images, null).PullAsync(args[1], null, CancellationToken.None);
Console.WriteLine($"{image.Id} {stopwatch.ElapsedMilliseconds}");
return 0;
