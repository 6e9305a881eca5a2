Console.Error.WriteLine("webengine-runtime: no commands yet");
return 1;
