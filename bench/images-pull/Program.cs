using System.Diagnostics;
using WebEngine.Data;
using WebEngine.Engine.Images;
using WebEngine.Engine.Images.Registry;

// Pulls one image into a fresh data root with WebEngine's image store (download, verify, unpack, record), for
// bench/images-pull.sh. Prints the image id, the milliseconds opening the database took and those of the pull.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: images-pull DATA_ROOT REFERENCE");
    return 2;
}
var dataRoot = args[0];
var opening = Stopwatch.StartNew();
var database = WebEngineDatabase.Open(Path.Combine(dataRoot, "webengine.db"));
var images = new ImageService(new ImageStoreOptions { DataRoot = dataRoot }, database);
var openMs = opening.ElapsedMilliseconds;
var stopwatch = Stopwatch.StartNew();
var image = await new ImagePuller(images, null).PullAsync(args[1], null, CancellationToken.None);
Console.WriteLine($"{image.Id} open {openMs} ms, pull {stopwatch.ElapsedMilliseconds} ms");
return 0;
