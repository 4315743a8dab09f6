-- wrk script: each connection waits PACE_MS between requests, so that
-- connections x 1000/PACE_MS is the offered rate (wrk 4 has no -R option).
-- Requests alternate between the paths in PATHS (separated by spaces),
-- with the bearer token in TOKEN.
local pace = tonumber(os.getenv("PACE_MS") or "50")
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
  paths[#paths + 1] = p
end
local i = 0

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")

function delay()
  return pace
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

local errors = 0
function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 200) .. "\n")
    end
  end
end
