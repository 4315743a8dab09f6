package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are the Examples section of every command's help, by command
// path. They run as written from the repository's directory after
// "tahqiq demo" (its store in ./tahqiq-data, with the user demo, and its
// inputs and outputs in ./tahqiq-demo), on the real sample data beside the
// repository (../shared/data, see the README) or on files an example made
// before it. CASE, ITEM, REC, TASK and the like stand for the ids that the
// commands print (tahqiq case new prints the case's alone, so that
// CASE=$(...) keeps it). TestEveryCommandHasExamples checks that every
// command has some and that each line is a command line the command
// accepts.
var examples = map[string]string{
	"tahqiq": `  tahqiq demo                        # the whole job on bundled real samples, into ./tahqiq-data
  tahqiq --as demo datasets          # what it imported (the demo's user is demo)
  tahqiq help import                 # every command documents its flags, with examples
  tahqiq help exit-codes             # what an exit code means`,

	// data in
	"tahqiq import": `  tahqiq --as demo import --dataset ru ../shared/data/coord/russian_coord_tweets.events.csv
  tahqiq --as demo import --json --dataset tw ../shared/data/social/twarc-csv-testdata/streaming_output_with_error.jsonl
  tahqiq --as demo import --dataset india --map account=user_id,text=text ../shared/data/social/botocracy-india-2019/all_used_tweets.csv
  tahqiq --as demo import --dataset tg --option container=bloomberg ../shared/data/social/gesis-telegram-telethon/bloomberg.jsonl
  gzip -c ../shared/data/coord/ira_2016_election_week.events.csv | tahqiq --as demo import --dataset ira-week -   # "-" is stdin; gzip is read as such`,
	"tahqiq datasets": `  tahqiq --as demo datasets
  tahqiq --as demo datasets --json`,
	"tahqiq datasets rejects": `  tahqiq --as demo datasets rejects tw
  tahqiq --as demo datasets rejects tw --json --limit 100`,
	"tahqiq datasets rederive": `  tahqiq --as demo datasets rederive demo --dry-run     # what a newer tahqiq's rules would change
  tahqiq --as demo datasets rederive demo`,
	"tahqiq datasets rm": `  tahqiq --as demo datasets rm tw --dry-run
  tahqiq --as demo datasets rm tw`,
	"tahqiq accounts": `  tahqiq --as demo accounts --dataset demo                          # every account that posted, most posts first
  tahqiq --as demo accounts --dataset demo --where 'posts_per_day>=20' --where 'default_handle=true'
  tahqiq --as demo accounts --dataset demo --account @some_handle --json
  tahqiq accounts --input ../shared/data/social/twarc-csv-testdata/streaming_output_with_error.jsonl --out accounts.csv
  tahqiq accounts --columns                                         # every signal with its definition`,
	"tahqiq export": `  tahqiq --as demo export shares --dataset demo --format events --out demo.events.csv`,
	"tahqiq export shares": `  tahqiq --as demo export shares --dataset demo --out demo.coortweet.csv          # CooRTweet's columns
  tahqiq --as demo export shares --dataset demo --format events --type retweet > demo-retweets.csv
  tahqiq coord --input demo-retweets.csv --out demo-retweets                        # read back`,

	// coordination
	"tahqiq coord": `  tahqiq coord --input ../shared/data/coord/russian_coord_tweets.events.csv --out run --by retweet --window 60s
  tahqiq --as demo coord --dataset demo --out run2 --by url,hashtag --weight messages --percentile 0.5
  tahqiq coord --input ../shared/data/coord/german_elections_2021.events.csv --out de --by url,hashtag --window 3600s --min-participation 1
  tahqiq coord --input ../shared/data/coord/ira_2016_election_week.posts.csv --map account=account_id,id=post_id,time=timestamp,time_format=unix,text=text --by near-text --jaccard 0.8 --out ira-near
  tahqiq --as demo coord --dataset demo --nats embedded --out run3   # pairs made by in-process NATS workers`,
	"tahqiq coord explain": `  tahqiq coord explain --run tahqiq-demo/coord other:54cc6aa9dc63e1e31f7c082a57e63f2b other:844b11aefbc75092369d8f207940ad6c
  tahqiq coord explain --run tahqiq-demo/coord --json other:54cc6aa9dc63e1e31f7c082a57e63f2b other:844b11aefbc75092369d8f207940ad6c`,
	"tahqiq images": `  tahqiq --as demo images --dataset demo                    # near-identical pictures the posts carry, and who posted them
  tahqiq --as demo images --dataset demo --dataset tg --max-distance 31 --json   # variants too, across datasets
  tahqiq --as demo images --dataset demo --case CASE --all  # with the pictures attached to a case, shown once or not
  tahqiq --as demo images --dataset demo --problems         # the pictures that were not hashed, and why`,
	"tahqiq synth": `  tahqiq synth --posts 1000000 --out synth.csv --groups truth.csv
  tahqiq coord --input synth.csv --out synth-run --graph=false --evidence=false`,

	// narratives, fact-checks, targets
	"tahqiq narratives": `  tahqiq narratives --input ../shared/data/social/botocracy-india-2019/all_used_tweets.csv --map account=user_id,text=text --out narr
  tahqiq --as demo import --dataset ira --map account=account_id,id=post_id,time=timestamp,time_format=unix,text=text,retweet_of=retweet_of ../shared/data/coord/ira_2016_election_week.posts.csv
  tahqiq --as demo coord --dataset ira --out ira-run
  tahqiq --as demo narratives --dataset ira --run ira-run --out ira-narr --json`,
	"tahqiq claims": `  tahqiq --as demo claims import --set eval internal/claims/testdata/eval/claims.csv
  tahqiq --as demo claims match --set eval --input internal/claims/testdata/eval/posts.csv --map account=id,id=id,text=text --out matches`,
	"tahqiq claims import": `  tahqiq --as demo claims import --set eval internal/claims/testdata/eval/claims.csv
  tahqiq --as demo claims import --set pk2024 --json internal/claims/testdata/page.html internal/claims/testdata/feed.json`,
	"tahqiq claims match": `  tahqiq --as demo claims match --set eval --input internal/claims/testdata/eval/posts.csv --map account=id,id=id,text=text --out matches
  tahqiq claims match --claims internal/claims/testdata/eval/claims.csv --input internal/claims/testdata/eval/posts.csv --map account=id,id=id,text=text --out matches2 --json
  tahqiq --as demo claims match --set eval --dataset india --out matches-india --window-days 30`,
	"tahqiq claims sets": `  tahqiq --as demo claims sets
  tahqiq --as demo claims sets --json`,
	"tahqiq targets": `  printf 'account,label\nrealDonaldTrump,candidate\nHillaryClinton,candidate\n' > watch.csv
  tahqiq targets --watchlist watch.csv --input ../shared/data/coord/ira_2016_election_week.posts.csv --map account=account_id,id=post_id,time=timestamp,time_format=unix,text=text,retweet_of=retweet_of --out targeting
  tahqiq --as demo targets --watchlist watch.csv --dataset ira --run ira-run --out ira-targeting --json`,

	// election results
	"tahqiq audit": `  tahqiq audit check --input tahqiq-demo/audit/inputs/na999-template.csv --map pk-long --out checks
  tahqiq audit forensics --input ../shared/data/elections/ru/ru_2012.csv.gz --map ru --out ru2012`,
	"tahqiq audit import": `  tahqiq audit import --input ../shared/data/elections/ru/ru_2012.csv.gz --map ru
  tahqiq audit import --input ../shared/data/elections/pk/pk_2024_na_form47_vs_claimed_form45.csv --map pk2024`,
	"tahqiq audit check": `  tahqiq audit check --input tahqiq-demo/audit/inputs/na999-template.csv --map pk-long --out checks
  tahqiq audit check --input ../shared/data/elections/pk/pk_constituency_results_cookman.csv --map pk-constituency --recount-pct 2`,
	"tahqiq audit claim": `  tahqiq audit claim --input tahqiq-demo/audit/inputs/na999-template.csv --map pk-long --contest NA-999 --x A --y B --n 100`,
	"tahqiq audit forensics": `  tahqiq audit forensics --input ../shared/data/elections/ru/ru_2012.csv.gz --map ru --out ru2012
  tahqiq audit forensics --input ../shared/data/elections/ru/ru_2011.csv.gz --map ru --leader "edinaya rossiya" --out ru2011 --json > ru2011.json
  tahqiq audit forensics --input ../shared/data/elections/af/af_2009_pc_results.csv.gz --map af2009 --form af-final --multiple 5`,

	// organisations and users
	"tahqiq org": `  tahqiq org init --org ECP-inquiry --admin ayesha          # on an empty store
  tahqiq org list
  echo 'a long password for chen' | tahqiq org add-user chen --org "tahqiq demo" --role reviewer --password-stdin`,
	"tahqiq org init": `  tahqiq --data team-data org init --org ECP-inquiry --admin ayesha
  echo 'a long password for ayesha' | tahqiq --data team-data org init --org ECP-inquiry --admin ayesha --password-stdin`,
	"tahqiq org add": `  tahqiq org add "Observer Mission"        # no --as: the system administrator`,
	"tahqiq org add-user": `  echo 'a long password for ayesha' | tahqiq org add-user ayesha --org "tahqiq demo" --role admin --password-stdin
  tahqiq --as demo org add-user bilal --role viewer    # an admin adds to its own organisation`,
	"tahqiq org list": `  tahqiq org list
  tahqiq --as demo org list --json`,
	"tahqiq org passwd": `  tahqiq org passwd demo --password-stdin < demo-password.txt
  echo 'a new long password' | tahqiq --as demo org passwd bilal --password-stdin`,
	"tahqiq org disable-user": `  tahqiq --as demo org disable-user bilal`,
	"tahqiq org enable-user":  `  tahqiq --as demo org enable-user bilal`,

	// cases
	"tahqiq case": `  CASE=$(tahqiq --as demo case new --title "Fake Form 45 images")
  tahqiq --as demo case attach "$CASE" tahqiq-demo/audit/inputs/na999-template.csv
  tahqiq --as demo case attach-run "$CASE" tahqiq-demo/coord
  tahqiq --as demo case show "$CASE"
  tahqiq --as demo case export "$CASE" --out case.zip
  tahqiq verify case.zip --key tahqiq-data/keys/log.pub`,
	"tahqiq case new": `  tahqiq --as demo case new --title "Fake Form 45 images"                  # prints the case's id
  CASE=$(tahqiq --as demo case new --title "NA-56 recount" --tlp red --description "Forms 45 of NA-56 against Form 47")`,
	"tahqiq case list": `  tahqiq --as demo case list
  tahqiq --as demo case list --json`,
	"tahqiq case show": `  tahqiq --as demo case show CASE          # CASE: an id of tahqiq case list
  tahqiq --as demo case show CASE --json`,
	"tahqiq case attach": `  tahqiq --as demo case attach CASE form45-station-12.jpg form45-station-13.jpg
  tahqiq --as demo case attach CASE form45-station-12-cropped.jpg --derived-from ITEM    # a working copy of item ITEM`,
	"tahqiq case attach-post": `  tahqiq --as demo case attach-post CASE --dataset tw x:1377266697850257410     # posts by UID, as datasets and runs name them`,
	"tahqiq case attach-run": `  tahqiq --as demo case attach-run CASE tahqiq-demo/coord
  tahqiq --as demo case attach-run CASE ira-narr               # a narratives (or claims match, targets) run's --out directory`,
	"tahqiq case get":       `  tahqiq --as demo case get ITEM --out evidence-copy       # ITEM: an item id of case show`,
	"tahqiq case finding":   `  tahqiq --as demo case finding CASE --title "One image, two stations" --text "The same Form 45 image is posted for stations 12 and 13" --item ITEM --tag T0086`,
	"tahqiq case recommend": `  tahqiq --as demo case recommend CASE --action "Ask ECP for the originals" --grounds "one image, two stations" --finding FINDING`,
	"tahqiq case approve":   `  tahqiq --as chen case approve REC       # REC: a recommendation id of case show; another reviewer than its author`,
	"tahqiq case reject":    `  tahqiq --as chen case reject REC`,
	"tahqiq case task": `  tahqiq --as demo case task CASE "Get the originals from the returning officer" --assignee demo
  tahqiq --as demo case task update TASK --status done`,
	"tahqiq case task update": `  tahqiq --as demo case task update TASK --status in_progress --assignee ayesha
  tahqiq --as demo case task update TASK --assignee ""          # unassign`,
	"tahqiq case note": `  tahqiq --as demo case note CASE "Called the returning officer; originals promised for Monday"`,
	"tahqiq case share": `  tahqiq --as demo case share CASE --org "Observer Mission"
  tahqiq --as demo case share CASE --org "Observer Mission" --item ITEM --tlp amber+strict`,
	"tahqiq case export": `  tahqiq --as demo case export CASE --out bundle         # a directory
  tahqiq --as demo case export CASE --out case.zip       # a zip; tahqiq verify checks either`,
	"tahqiq case report":  `  tahqiq --as demo case report CASE --out report.html --pdf report.pdf     # the PDF where Chromium is installed`,
	"tahqiq case similar": `  tahqiq --as demo case similar ITEM --max-distance 6`,
	"tahqiq capture": `  CASE=$(tahqiq --as demo case new --title "ECP results page")
  tahqiq --as demo capture https://www.ecp.gov.pk/ --case "$CASE"`,

	// custody log
	"tahqiq verify": `  tahqiq verify tahqiq-demo/case/*.zip --key tahqiq-data/keys/log.pub
  tahqiq trust add tahqiq-data/keys/log.pub && tahqiq verify case.zip
  tahqiq verify case.zip --key tahqiq-data/keys/log.pub --checkpoint yesterday.checkpoint     # a checkpoint you kept
  tahqiq verify case.zip --key tahqiq-data/keys/log.pub --witness keys/witness.fia.gov.pk.pub  # its checkpoint co-signed by that witness
  tahqiq verify --key tahqiq-data/keys/log.pub          # the store in --data`,
	"tahqiq trust": `  tahqiq trust add tahqiq-data/keys/log.pub
  tahqiq trust list`,
	"tahqiq trust add": `  tahqiq trust add tahqiq-data/keys/log.pub            # a log key you obtained from its operator
  tahqiq trust add --witness keys/witness.fia.gov.pk.pub
  tahqiq trust add --trusted team-keys tahqiq-data/keys/log.pub     # another trusted-keys file`,
	"tahqiq trust list": `  tahqiq trust list
  tahqiq trust list --trusted team-keys`,
	"tahqiq checkpoint": `  tahqiq checkpoint > today.checkpoint
  tahqiq checkpoint prove --from yesterday.checkpoint > proof.json
  tahqiq checkpoint cosign today.checkpoint --key keys/witness.fia.gov.pk.key --log-key tahqiq-data/keys/log.pub --state fia-witness --proof proof.json`,
	"tahqiq checkpoint keygen": `  tahqiq checkpoint keygen --name witness.fia.gov.pk --out keys`,
	"tahqiq checkpoint cosign": `  tahqiq checkpoint cosign today.checkpoint --key keys/witness.fia.gov.pk.key --log-key tahqiq-data/keys/log.pub --state fia-witness
  tahqiq checkpoint cosign tomorrow.checkpoint --key keys/witness.fia.gov.pk.key --log-key tahqiq-data/keys/log.pub --state fia-witness --proof proof.json`,
	"tahqiq checkpoint prove": `  tahqiq checkpoint prove --from yesterday.checkpoint > proof.json
  tahqiq checkpoint prove --from yesterday.checkpoint --to today.checkpoint > proof.json`,
	"tahqiq checkpoint check": `  tahqiq checkpoint check --old yesterday.checkpoint --new today.checkpoint --proof proof.json --log-key tahqiq-data/keys/log.pub`,

	// the demo, the server, the store
	"tahqiq demo": `  tahqiq demo
  tahqiq --data /tmp/try demo --out /tmp/try-demo`,
	"tahqiq serve": `  tahqiq serve                                    # http://127.0.0.1:8080: log in as demo with the password the demo printed
  tahqiq serve --addr 0.0.0.0:8443 --secure-cookies      # behind a TLS proxy
  tahqiq serve --watch --watch-window 60s --watch-group 5 --webhook https://alerts.example.org/tahqiq
  tahqiq --db postgres://tahqiq@localhost/tahqiq serve`,
	"tahqiq migrate": `  tahqiq migrate --from tahqiq-data --to postgres://tahqiq@localhost/tahqiq
  tahqiq --db postgres://tahqiq@localhost/tahqiq migrate --from tahqiq-data`,

	// beyond one machine
	"tahqiq worker": `  tahqiq worker --nats nats://10.0.0.5:4222 --nats-creds client.nk
  tahqiq worker --nats nats://10.0.0.5:4222 --partitions 16 --partitions-served 0,1,2,3`,
	"tahqiq watch": `  tahqiq watch --nats nats://127.0.0.1:4222 --window 60s --horizon 24h --group 5 --state watch.json
  tahqiq watch --nats nats://127.0.0.1:4222 --by retweet,url --from-start --webhook https://alerts.example.org/tahqiq`,
	"tahqiq publish": `  tahqiq --as demo publish --nats nats://127.0.0.1:4222 --dataset demo
  tahqiq --as demo publish --nats nats://127.0.0.1:4222 --dataset demo --subject tahqiq.live.replay`,

	// cobra's own
	"tahqiq help": `  tahqiq help coord
  tahqiq help exit-codes`,
	"tahqiq completion":            `  tahqiq completion bash > /etc/bash_completion.d/tahqiq`,
	"tahqiq completion bash":       `  source <(tahqiq completion bash)`,
	"tahqiq completion zsh":        `  tahqiq completion zsh > "${fpath[1]}/_tahqiq"`,
	"tahqiq completion fish":       `  tahqiq completion fish > ~/.config/fish/completions/tahqiq.fish`,
	"tahqiq completion powershell": `  tahqiq completion powershell | Out-String | Invoke-Expression`,
}

// addExamples gives every command of root its Examples section, with
// cobra's help and completion commands made now so that they have one
// too.
func addExamples(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok && c.Example == "" {
			c.Example = strings.TrimRight(ex, "\n")
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
