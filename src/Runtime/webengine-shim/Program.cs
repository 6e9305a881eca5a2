Console.Error.WriteLine("webengine-shim: not implemented yet");
return 1;
