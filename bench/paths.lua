-- wrk script: cycle through the URL paths listed in $PATHS_FILE (one per line) with gzip.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local index = math.random(#paths)
request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], {["Accept-Encoding"] = "gzip"})
end
