using Microsoft.AspNetCore.Http;
using WebEngine.Engine;
using WebEngine.Engine.Images;
using WebEngine.Engine.Lifecycle;
using WebEngine.Engine.Volumes;

namespace WebEngine.Api.Docker;

/// <summary>
/// `GET /system/df` (docker system df): images with their shared size and container count, containers with the size
/// of their writable layer, volumes with their size and reference count, measured on disk.
/// </summary>
public static class DiskUsageEndpoint
{
    private static readonly string[] Types = ["container", "image", "volume", "build-cache"];

    public static async Task<IResult> GetAsync(HttpRequest request, ImageService images, ContainerService containers, VolumeService volumes, EngineOptions engine)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var types = request.Query["type"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        foreach (var type in types.Where(t => !Types.Contains(t)))
            throw new InvalidArgumentException($"unknown object type: {type}");
        bool Wants(string type) => types.Count == 0 || types.Contains(type);

        var containerList = await containers.ListAsync(new ContainerListOptions { All = true }, cancellationToken);
        var usage = await images.DiskUsageAsync(cancellationToken);
        var imageRows = new List<ImageSummaryJson>();
        if (Wants("image"))
        {
            var details = (await images.ListAsync(cancellationToken)).ToDictionary(i => i.Id);
            foreach (var item in usage.Images)
            {
                if (details.TryGetValue(item.Id, out var image))
                    imageRows.Add(ImageSummaryJson.From(image, sharedSize: item.SharedSize, containers: containerList.Count(c => c.ImageId == item.Id)));
            }
        }
        var containerRows = new List<DiskUsageContainerJson>();
        if (Wants("container"))
        {
            var imageSizes = (await images.ListAsync(cancellationToken)).ToDictionary(i => i.Id, i => i.Size);
            foreach (var container in containerList)
            {
                var writable = DirectorySize(Path.Combine(engine.ContainersDirectory, container.Id, "upper"));
                containerRows.Add(new DiskUsageContainerJson(container.Id, container.Names, container.Image, container.ImageId, container.Command,
                    container.Created, container.State, container.Status, writable, writable + imageSizes.GetValueOrDefault(container.ImageId), container.Labels,
                    container.Mounts));
            }
        }
        var volumeRows = new List<VolumeJson>();
        if (Wants("volume"))
        {
            foreach (var volume in await volumes.ListAsync(null, cancellationToken))
            {
                var references = containerList.Count(c => c.Mounts.Any(m => m.Type == "volume" && m.Name == volume.Name));
                volumeRows.Add(VolumeJson.From(volume, new VolumeUsageJson(DirectorySize(volume.Mountpoint), references)));
            }
        }
        return TypedResults.Ok(new DiskUsageJson(Wants("image") ? usage.LayersSize : 0, imageRows, containerRows, volumeRows, []));
    }

    private static long DirectorySize(string path)
    {
        if (!Directory.Exists(path))
            return 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        return new DirectoryInfo(path).EnumerateFiles("*", options).Where(f => f.LinkTarget is null).Sum(f => f.Length);
    }
}

public sealed record DiskUsageJson(long LayersSize, IReadOnlyList<ImageSummaryJson> Images, IReadOnlyList<DiskUsageContainerJson> Containers,
    IReadOnlyList<VolumeJson> Volumes, IReadOnlyList<object> BuildCache);

/// <summary>A container row of system df: Docker's ContainerSummary with SizeRw and SizeRootFs.</summary>
public sealed record DiskUsageContainerJson(string Id, IReadOnlyList<string> Names, string Image, string ImageID, string Command, long Created,
    string State, string Status, long SizeRw, long SizeRootFs, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<MountPoint> Mounts);
