"""Fill the Danish catalogue: `python translations/fill_da.py` after `pybabel update`.

The words follow ../shared/context/glossary-da-en.md: one Danish word per concept, "du"-form.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

DANISH = {
    # The phone's vote screen and its notes (issue 9, phones)
    "All {n} dots placed": "Alle {n} prikker er sat",
    "Your dot is placed": "Din prik er sat",
    "Your table has {n} dots left": "Dit bord har {n} prikker tilbage",
    "Your table has 1 dot left": "Dit bord har 1 prik tilbage",
    "All {n} of your table's dots placed": "Alle dit bords {n} prikker er sat",
    "Your table's dot is placed": "Dit bords prik er sat",
    "To move a dot, take it back with −": "Vil du flytte en prik? Tag den tilbage med −",
    "at most {n} per idea": "højst {n} pr. idé",
    "one per idea": "én pr. idé",
    "at most {n} per theme": "højst {n} pr. tema",
    "one per theme": "én pr. tema",
    "at most {n} per idea or theme": "højst {n} pr. idé eller tema",
    "one per idea or theme": "én pr. idé eller tema",
    "Give your {n} dots to the ideas and themes you like best: + gives a dot, − takes it back.":
        "Giv dine {n} prikker til de idéer og temaer, du synes bedst om: + giver en prik, − tager den tilbage.",
    "Give your dot to the idea or theme you like best: + gives it, − takes it back.":
        "Giv din prik til den idé eller det tema, du synes bedst om: + giver den, − tager den tilbage.",
    "Give your {n} dots to the ideas you like best: + gives a dot, − takes it back.":
        "Giv dine {n} prikker til de idéer, du synes bedst om: + giver en prik, − tager den tilbage.",
    "Give your dot to the idea you like best: + gives it, − takes it back.":
        "Giv din prik til den idé, du synes bedst om: + giver den, − tager den tilbage.",
    "Give your {n} dots to the themes you like best: + gives a dot, − takes it back.":
        "Giv dine {n} prikker til de temaer, du synes bedst om: + giver en prik, − tager den tilbage.",
    "Give your dot to the theme you like best: + gives it, − takes it back.":
        "Giv din prik til det tema, du synes bedst om: + giver den, − tager den tilbage.",
    "My dots ({n})": "Mine prikker ({n})",
    "My dots": "Mine prikker",
    "Remove": "Fjern",
    "Remove your dot from: {text}": "Fjern din prik fra: {text}",
    "{n} of your dots": "{n} af dine prikker",
    "1 of your dots": "1 af dine prikker",
    "Show {n} ideas": "Vis {n} idéer",
    "Show 1 idea": "Vis 1 idé",
    "Hide {n} ideas": "Skjul {n} idéer",
    "Hide 1 idea": "Skjul 1 idé",
    "{n} found": "{n} fundet",
    "Nothing found. Try another word.": "Ingen fundet. Prøv et andet ord.",
    "Find an idea": "Find en idé",
    "There is nothing to vote on yet.": "Der er ikke noget at stemme på endnu.",
    "Waiting – it is sent by itself in a few seconds": "Venter – den sendes af sig selv om få sekunder",
    "Editing stopped: ideas can no longer be changed, so your change was not saved.":
        "Redigeringen er stoppet: idéerne kan ikke længere ændres, så din ændring blev ikke gemt.",
    "What comes next: the facilitator sorts the ideas into themes, then you vote here on your phone. Keep this page open.":
        "Hvad sker der nu: Facilitatoren sorterer idéerne i temaer, og så stemmer du her på din telefon. Lad siden være åben.",
    "Next, you vote here on your phone. Keep this page open.":
        "Bagefter stemmer du her på din telefon. Lad siden være åben.",
    "You cannot give a dot to that in this vote.": "Du kan ikke give en prik til det i denne afstemning.",
    "Participants give dots to": "Deltagerne giver prikker til",
    "Ideas and themes": "Idéer og temaer",
    "Ideas only": "Kun idéer",
    "Themes only": "Kun temaer",
    "How to join": "Sådan deltager du",
    "QR code to join: %(url)s": "QR-kode til at deltage: %(url)s",
    "Scan the QR code, or go to": "Scan QR-koden, eller gå til",
    "and type the code": "og skriv koden",
    "Participants": "Deltagere",
    "Phones show everyone's ideas while collecting": "Telefonerne viser alles idéer, mens der indsamles",
    "Ideas": "Idéer",
    "Language": "Sprog",
    "{n} characters left": "{n} tegn tilbage",
    "Saved – will be sent when you are online again": "Gemt – sendes, når du er online igen",
    "Sending…": "Sender …",
    "Sent! Your idea is on the wall.": "Sendt! Din idé er på væggen.",
    "Sent {time}": "Sendt {time}",
    "Hidden by the facilitator": "Skjult af facilitatoren",
    "Reconnecting…": "Genopretter forbindelsen …",
    "Write your idea first.": "Skriv din idé først.",
    "An idea can be at most {n} characters.": "En idé kan højst være {n} tegn.",
    "{theme} (continued)": "{theme} (fortsat)",
    "Page {n}/{total}": "Side {n}/{total}",
    "Page {n}/{total} · paused": "Side {n}/{total} · på pause",
    "Send your ideas from your phone": "Send dine idéer fra din telefon",
    "Vote on your phone: you have {n} dots": "Stem på din telefon: du har {n} prikker",
    "Vote on your phone: you have 1 dot": "Stem på din telefon: du har 1 prik",
    "(at most {n} on one)": "(højst {n} på hver)",
    "{n} of {total} participants have voted": "{n} af {total} deltagere har stemt",
    "Top {n} themes": "Top {n} temaer",
    "Top {n} ideas": "Top {n} idéer",
    "{ideas} from {participants}.": "{ideas} fra {participants}.",
    "{n} participants": "{n} deltagere",
    "1 participant": "1 deltager",
    "Your ideas will appear here.": "Dine idéer kommer op her.",
    "Scan the QR code with your phone's camera and write your first idea.":
        "Scan QR-koden med telefonens kamera, og skriv din første idé.",
    "Thank you.": "Tak for din deltagelse.",
    "Full screen": "Fuld skærm",
    "Hold page": "Stop sideskift",
    "The wall stays on the page it shows until you press again": "Væggen bliver på den side, den viser, til du trykker igen",
    "{n} new ideas": "{n} nye idéer",
    "Open for ideas": "Åben for idéer",
    "Posting is closed": "Der er lukket for nye idéer",
    "Show": "Vis",
    "Hide": "Skjul",
    "Open posting": "Åbn for idéer",
    "Close posting": "Luk for idéer",
    "Not connected. Wait a moment and try again.": "Ingen forbindelse. Vent et øjeblik, og prøv igen.",
    "Unsorted": "Ikke sorteret",
    "{n} ideas stacked as duplicates": "{n} idéer stakket som dubletter",
    "{n} ideas": "{n} idéer",
    "Possible duplicate": "Mulig dublet",
    "Unstack": "Del stakken",
    "Rename": "Omdøb",
    "New name for the theme": "Nyt navn til temaet",
    "Move up": "Flyt op",
    "Move down": "Flyt ned",
    "Merge into…": "Slå sammen med …",
    "Delete": "Slet",
    "{n} selected": "{n} valgt",
    "{n} moved to {theme}": "{n} flyttet til {theme}",
    "Undo": "Fortryd",
    "Undo: {action}": "Fortryd: {action}",
    "move": "flyt",
    "rename": "omdøb",
    "delete theme": "slet tema",
    "merge": "slå sammen",
    "reorder": "ny rækkefølge",
    "new theme": "nyt tema",
    "stack": "stak",
    "unstack": "del stak",
    "suggested themes": "foreslåede temaer",
    "Suggestion {n}": "Forslag {n}",
    "Theme name": "Temaets navn",
    "Accept theme": "Behold tema",
    "Discard": "Kassér",
    "Stack duplicates": "Stak dubletter",
    "Looking for themes…": "Leder efter temaer …",
    "{n} suggested themes. Edit them, then accept or discard.":
        "{n} foreslåede temaer. Ret dem, og godkend eller kassér dem.",
    "No themes to suggest: too few unsorted ideas that share words.":
        "Ingen temaer at foreslå: for få ikke sorterede idéer, der deler ord.",
    "Themes": "Temaer",
    "It is empty. Write something first.": "Feltet er tomt. Skriv noget først.",
    "That text is too long. Shorten it and try again.": "Teksten er for lang. Gør den kortere, og prøv igen.",
    "Posting is closed for new ideas right now.": "Der er lukket for nye idéer lige nu.",
    "You are sending very fast. Wait a few seconds.": "Du sender meget hurtigt. Vent et par sekunder.",
    "We could not find that workshop. Check the code.": "Vi kunne ikke finde den workshop. Tjek koden.",
    "Idea Factory": "Idéfabrikken",
    "We could not find that workshop": "Vi kunne ikke finde den workshop",
    "Check the code on the screen in the room and type it again.":
        "Tjek koden på skærmen i salen, og skriv den igen.",
    "Something went wrong": "Noget gik galt",
    "Try again in a moment. If it keeps happening, ask the facilitator.":
        "Prøv igen om et øjeblik. Hvis det bliver ved, så spørg facilitatoren.",
    "Type a code": "Skriv en kode",
    "Facilitator": "Facilitator",
    "Facilitator controls": "Facilitatorens knapper",
    "Open the wall": "Åbn væggen",
    "Export": "Eksportér",
    "Facilitator link": "Facilitatorlink",
    "Keep this link to reopen the console later. Do not show it on the projector.":
        "Gem dette link, så du kan åbne konsollen igen senere. Vis det ikke på projektoren.",
    "New theme": "Nyt tema",
    "Create theme": "Opret tema",
    "Suggest themes": "Foreslå temaer",
    "Show themes on the wall": "Vis temaer på væggen",
    "Fewest, broadest": "Færrest, bredest",
    "Fewer, broader": "Færre, bredere",
    "Balanced": "Afbalanceret",
    "More, narrower": "Flere, smallere",
    "Most, narrowest": "Flest, smallest",
    "Shared words:": "Fælles ord:",
    "→ {theme}?": "→ {theme}?",
    "Move to the suggested theme: {idea}": "Flyt til det foreslåede tema: {idea}",
    "Accept all theme hints ({n})": "Flyt alle til det foreslåede tema ({n})",
    "T on a card accepts its theme hint.": "T på et kort flytter det til det foreslåede tema.",
    "theme hints": "forslag til temaer",
    "granularity must be a whole number from -2 to 2.": "Detaljegraden skal være et helt tal fra -2 til 2.",
    "Selected ideas": "Valgte idéer",
    "Move to…": "Flyt til …",
    "Move": "Flyt",
    "Stack as duplicates": "Stak som dubletter",
    "Clear selection": "Fravælg alle",
    "Drag an idea onto a theme, or select ideas (click, or Space) and choose “Move to…”.":
        "Træk en idé over på et tema, eller vælg idéer (klik eller mellemrum), og vælg “Flyt til …”.",
    "Suggested themes": "Foreslåede temaer",
    "Accept all": "Behold alle",
    "Discard all": "Kassér alle",
    "Possible duplicates": "Mulige dubletter",
    "This page is for the facilitator": "Denne side er til facilitatoren",
    "Open the facilitator link you got when the workshop was created.":
        "Åbn det facilitatorlink, du fik, da workshoppen blev oprettet.",
    "Go to the wall": "Gå til væggen",
    "Join as a participant": "Gå til deltagersiden",
    "Collect ideas from everyone in the room, live, on their own phones.":
        "Saml idéer fra alle i salen, live, på deres egne telefoner.",
    "Join a workshop": "Deltag i en workshop",
    "Code": "Kode",
    "There is no workshop with that code. Check the code on the screen and try again.":
        "Der er ingen workshop med den kode. Tjek koden på skærmen, og prøv igen.",
    "Join": "Deltag",
    "Create a workshop": "Opret en workshop",
    "Title": "Titel",
    "The question participants answer": "Spørgsmålet, deltagerne svarer på",
    "Create workshop": "Opret workshop",
    "Write your ideas": "Skriv dine idéer",
    "Send idea": "Send idé",
    "Your ideas": "Dine idéer",
    "You have not sent any ideas yet.": "Du har ikke sendt nogen idéer endnu.",
    "Wall": "Væg",
    "This workshop has been deleted by the organiser.": "Denne workshop er blevet slettet af arrangøren.",
    "Ideas from paper": "Idéer fra papir",
    "Paste ideas, one per line": "Indsæt idéer, én pr. linje",
    "…or upload a .txt or .csv file": "… eller upload en .txt- eller .csv-fil",
    "Import into the active question": "Importér til det aktive spørgsmål",
    "Importing…": "Importerer …",
    "{n} ideas imported, {again} were already there, {skipped} lines skipped.":
        "{n} idéer importeret, {again} fandtes i forvejen, {skipped} linjer sprunget over.",
    "Language on the wall": "Sprog på væggen",
    "Too many attempts. Wait a minute.": "For mange forsøg. Vent et minut.",
    "The organiser password is not right.": "Arrangøradgangskoden er forkert.",
    "Deleted %(title)s.": "%(title)s er slettet.",
    "Organiser": "Arrangør",
    "The organiser page is off. Start the server with --admin-password (or set ADMIN_PASSWORD) to use it.":
        "Arrangørsiden er slået fra. Start serveren med --admin-password (eller sæt ADMIN_PASSWORD) for at bruge den.",
    "Organiser password": "Arrangøradgangskode",
    "Sign in": "Log ind",
    "Sign out": "Log ud",
    "Closed workshops are deleted %(days)s days after their last activity.":
        "Afsluttede workshops slettes %(days)s dage efter den seneste aktivitet.",
    "Workshops": "Workshops",
    "No workshops yet.": "Ingen workshops endnu.",
    "Created": "Oprettet",
    "Open": "Åbn",
    "Console": "Konsol",
    "Delete %(title)s? Everything is deleted and cannot be restored.":
        "Slet %(title)s? Alt bliver slettet og kan ikke gendannes.",
    "Delete %(title)s": "Slet %(title)s",
    "Deleted workshops": "Slettede workshops",
    "ideas": "idéer",
    "participants": "deltagere",
    "by the organiser": "af arrangøren",
    "after the retention period": "efter opbevaringsperioden",
    "The ideas are being sorted into themes…": "Idéerne bliver sorteret i temaer …",
    "Thank you for taking part!": "Tak for din deltagelse!",
    "You have {n} dots left": "Du har {n} prikker tilbage",
    "Add a dot: {text}": "Giv en prik: {text}",
    "Take a dot back: {text}": "Tag en prik tilbage: {text}",
    "{n} dots": "{n} prikker",
    "You have 1 dot left": "Du har 1 prik tilbage",
    "1 dot": "1 prik",
    "{time} left": "{time} tilbage",
    "Timer paused at {time}": "Nedtællingen er sat på pause ved {time}",
    "Collect": "Idéer",
    "Sort": "Sortering",
    "Vote": "Afstemning",
    "Results": "Resultater",
    "Closed": "Afsluttet",
    "Waiting for the facilitator's approval": "Venter på facilitatorens godkendelse",
    "Edit": "Ret",
    "Save": "Gem",
    "Saved": "Gemt",
    "Cancel": "Annullér",
    "Delete this idea? It cannot be undone.": "Slet idéen? Det kan ikke fortrydes.",
    "No table": "Intet bord",
    "Write your name under “About you” first.": "Skriv først dit navn under “Om dig”.",
    "Choose your table under “About you” first.": "Vælg først dit bord under “Om dig”.",
    # A QR code per table (issue 14): the phone and the table's wall.
    "The table in this link is not in this workshop, so you joined without a table.":
        "Bordet i linket findes ikke i denne workshop, så du deltager uden bord.",
    "Choose your table under “About you”.": "Vælg dit bord under “Om dig”.",
    "Table": "Bord",
    # The printed kit (issue 14): /w/<code>/print and its link in the console.
    "Print for the room": "Udskriv til lokalet",
    "A poster for the door, a card per table with its own QR code, and a paper form per table for"
    " people without a phone, in the workshop's language. Print on A4, portrait, at actual size (not"
    " “fit to page”), so that the QR codes stay big enough to scan.":
        "En plakat til døren, et kort til hvert bord med bordets egen QR-kode og en papirformular til"
        " hvert bord til dem uden mobil – på workshoppens sprog. Udskriv på A4, stående, i faktisk"
        " størrelse (ikke “tilpas til siden”), så QR-koderne er store nok til at blive scannet.",
    "No tables yet: name them in the console's settings to get a card and a paper form per table.":
        "Ingen borde endnu: giv dem navne under konsollens indstillinger for at få et kort og en"
        " papirformular til hvert bord.",
    "Scan the QR code with your phone's camera.": "Scan QR-koden med telefonens kamera.",
    "Write your idea.": "Skriv din idé.",
    "Tap “Send idea”.": "Tryk på “Send idé”.",
    "Scan, write, send": "Scan, skriv, send",
    "Ideas on paper": "Idéer på papir",
    "One idea per line. When you are done, give the sheet to the facilitator, who types the ideas in.":
        "Én idé pr. linje. Når du er færdig, så giv arket til facilitatoren, som skriver idéerne ind.",
    "Print QR cards for the tables, a door poster and paper forms":
        "Udskriv QR-kort til bordene, en plakat til døren og papirformularer",
    "Table (the one named on the paper form)": "Bord (det, der står på papirformularen)",
    "A table's card stays valid while the table keeps its name: print again after renaming or removing tables.":
        "Et bords kort virker, så længe bordet beholder sit navn: udskriv igen, når du har omdøbt eller fjernet borde.",
    "You have sent as many ideas as this workshop allows.":
        "Du har sendt så mange idéer, som denne workshop tillader.",
    "Voting is not open right now.": "Der er ikke åbent for afstemning lige nu.",
    "You have no dots left. Take one back to move it.":
        "Du har ikke flere prikker. Tag en tilbage for at flytte den.",
    "You cannot put more dots on that one.": "Du kan ikke give flere prikker til den.",
    "About you": "Om dig",
    "Approve": "Godkend",
    "Wall for {table}": "Væg for {table}",
    "Sound at zero": "Lyd ved nul",
    "Pause": "Sæt på pause",
    "Resume": "Fortsæt",
    "Active": "Aktiv",
    "Make active": "Gør aktiv",
    "Flow": "Forløb",
    "Phase": "Fase",
    "Timer": "Nedtælling",
    "Minutes": "Minutter",
    "Start": "Start",
    "+1 min": "+1 min",
    "Stop": "Stop",
    "Settings: voting, questions, tables, rules": "Indstillinger: afstemning, spørgsmål, borde, regler",
    "Voting": "Afstemning",
    "Dots per participant": "Prikker pr. deltager",
    "Most dots on one idea or theme": "Højst antal prikker på én idé eller ét tema",
    "Questions": "Spørgsmål",
    "New question": "Nyt spørgsmål",
    "Add question": "Tilføj spørgsmål",
    "Tables": "Borde",
    "One table or group per line": "Ét bord eller én gruppe pr. linje",
    "Save tables": "Gem borde",
    "Rules": "Regler",
    "Participants' names": "Deltagernes navne",
    "Optional": "Valgfrit",
    "Required": "Påkrævet",
    "Anonymous only": "Kun anonymt",
    "Most ideas per participant (empty: no limit)": "Højst antal idéer pr. deltager (tomt: ingen grænse)",
    "Approve ideas before they reach the wall": "Godkend idéer, før de kommer på væggen",
    "Table mode: one phone per table": "Bordtilstand: én telefon pr. bord",
    "Save rules": "Gem regler",
    "Waiting for approval": "Venter på godkendelse",
    "Your name (shown with your ideas)": "Dit navn (vises med dine idéer)",
    "Your table": "Dit bord",
    "Too many workshops created from here. Wait a minute and try again.":
        "Der er oprettet for mange workshops herfra. Vent et minut, og prøv igen.",
    # The printable report (templates/report.html).
    "Report": "Rapport",
    "Rank": "Placering",
    "Dots": "Prikker",
    "Chart": "Diagram",
    "(tie)": "(delt)",
    "Stacked duplicates": "Stakkede dubletter",
    "Print": "Udskriv",
    "Back to the console": "Tilbage til konsollen",
    "Workshop report": "Rapport fra workshoppen",
    "In numbers": "I tal",
    "No dots have been given yet.": "Der er ikke givet nogen prikker endnu.",
    "Themes by dots": "Temaer efter prikker",
    "A theme's dots are its own plus those on its ideas. Equal dots share a rank.":
        "Et temas prikker er dets egne plus prikkerne på dets idéer. Lige mange prikker giver delt placering.",
    "Theme": "Tema",
    "Ideas with the most dots": "Idéer med flest prikker",
    "Equal dots share a rank.": "Lige mange prikker giver delt placering.",
    "Idea": "Idé",
    "on the theme": "på temaet",
    "on its ideas": "på dets idéer",
    "Ideas not in a theme": "Idéer uden tema",
    # Accessibility: singular forms of the screen-reader counts.
    "1 new idea": "1 ny idé",
    "1 idea": "1 idé",
    "Voting is open: give your dots below.": "Afstemningen er åben: giv dine prikker herunder.",
    "The voting is over. Here are the results.": "Afstemningen er slut. Her er resultaterne.",
    # Error codes the screens used to show in the server's English.
    "This workshop is full. Ask the facilitator.": "Workshoppen er fuld. Spørg facilitatoren.",
    "Only the facilitator can do that.": "Det er kun facilitatoren, der kan gøre det.",
    "Something went wrong. Try again in a moment.": "Noget gik galt. Prøv igen om lidt.",
    # The console guides the evening (issue 9): checklist, stepper, posting switch, undo.
    "hide": "skjul",
    "show": "vis",
    "Next: {phase} →": "Næste: {phase} →",
    "Close the workshop? The wall thanks the room, and phones can no longer post or vote.":
        "Vil du afslutte workshoppen? Væggen takker salen, og telefonerne kan ikke længere sende idéer eller stemme.",
    "Copied": "Kopieret",
    "Before the room arrives": "Før deltagerne kommer",
    "Open the wall on the projector and make it full screen (F11).":
        "Åbn væggen på projektoren, og vis den i fuld skærm (F11).",
    "Keep your facilitator link: bookmark this page or copy the link.":
        "Gem dit facilitatorlink: Sæt et bogmærke ved siden, eller kopiér linket.",
    "Copy the facilitator link": "Kopiér facilitatorlinket",
    "Try it with your own phone: scan the QR code and send a test idea, then hide it.":
        "Prøv med din egen telefon: Scan QR-koden, og send en prøveidé. Skjul den bagefter.",
    "Hide the checklist": "Skjul tjeklisten",
    # Outputs (issue 9): the report counts what moderation kept out.
    ("Moderation hid %(num)d idea; it is not in this report.",
     "Moderation hid %(num)d ideas; they are not in this report."):
        ("Der blev skjult %(num)d idé ved moderering; den er ikke med i rapporten.",
         "Der blev skjult %(num)d idéer ved moderering; de er ikke med i rapporten."),
    ("%(num)d idea was still waiting for approval and is not in this report either.",
     "%(num)d ideas were still waiting for approval and are not in this report either."):
        ("%(num)d idé ventede stadig på godkendelse og er heller ikke med.",
         "%(num)d idéer ventede stadig på godkendelse og er heller ikke med."),
    ("%(num)d idea", "%(num)d ideas"): ("%(num)d idé", "%(num)d idéer"),
    ("%(num)d participant", "%(num)d participants"): ("%(num)d deltager", "%(num)d deltagere"),
    ("%(num)d theme", "%(num)d themes"): ("%(num)d tema", "%(num)d temaer"),
    # Server refusals (facilitation/errors.py and the commands), shown by every screen
    "Not found.": "Ikke fundet.",
    "You are sending that very fast. Wait a few seconds.": "Du sender meget hurtigt. Vent et par sekunder.",
    "That message is not valid.": "Beskeden er ikke gyldig.",
    "%(field)s is empty. Write something first.": "%(field)s er tom. Skriv noget først.",
    "%(field)s is %(length)s characters; at most %(limit)s are allowed.":
        "%(field)s er %(length)s tegn; højst %(limit)s er tilladt.",
    "Join a workshop first.": "Deltag i en workshop først.",
    "The facilitator token is required.": "Facilitatorens nøgle er påkrævet.",
    "Only the facilitator can do this.": "Kun facilitatoren kan gøre det.",
    "Only participants can do this: open the join page.": "Kun deltagere kan gøre det: åbn siden for at deltage.",
    "You can only change your own ideas.": "Du kan kun ændre dine egne idéer.",
    "This workshop is anonymous: names are not shown.": "Denne workshop er anonym: navne bliver ikke vist.",
    "Voting is not open now.": "Afstemningen er ikke åben nu.",
    "There is no workshop with that code. Check the code.": "Der er ingen workshop med den kode. Tjek koden.",
    "There is no such idea in this workshop.": "Den idé findes ikke i denne workshop.",
    "There is no such theme in this workshop.": "Det tema findes ikke i denne workshop.",
    "There is no such question in this workshop.": "Det spørgsmål findes ikke i denne workshop.",
    "There is no such table in this workshop.": "Det bord findes ikke i denne workshop.",
    "You have no dot on that to take back.": "Du har ingen prik på den at tage tilbage.",
    "Posting is closed for now.": "Der er lukket for nye idéer lige nu.",
    "This workshop has as many participants as it can take.": "Denne workshop har så mange deltagere, som den kan rumme.",
    "This workshop has as many ideas as it can take (%(limit)s).":
        "Denne workshop har så mange idéer, som den kan rumme (%(limit)s).",
    "This workshop has room for %(left)s more ideas, not %(count)s.":
        "Denne workshop har plads til %(left)s idéer mere, ikke %(count)s.",
    "At most %(limit)s dots can go on one idea or theme.": "Højst %(limit)s prikker kan gives til én idé eller ét tema.",
    "Write your name first: this workshop shows names.": "Skriv dit navn først: denne workshop viser navne.",
    "Choose your table first.": "Vælg dit bord først.",
    "You have sent the most ideas allowed (%(limit)s).": "Du har sendt så mange idéer, som er tilladt (%(limit)s).",
    "Too many messages. Wait a moment, then try again.": "For mange beskeder. Vent et øjeblik, og prøv igen.",
    "Method not allowed.": "Metoden er ikke tilladt.",
    "Something went wrong on the server. Try again.": "Noget gik galt på serveren. Prøv igen.",
    "The idea": "Idéen",
    "The title": "Titlen",
    "The question": "Spørgsmålet",
    "The theme name": "Temaets navn",
    "The table name": "Bordets navn",
    "The name": "Navnet",
    "The timer is not running.": "Nedtællingen kører ikke.",
    "There is no paused timer to resume.": "Der er ingen nedtælling på pause at fortsætte.",
    "phase must be one of: %(choices)s.": "phase skal være en af: %(choices)s.",
    "seconds must be a whole number from %(low)s to %(high)s, not 0.":
        "seconds skal være et helt tal fra %(low)s til %(high)s, ikke 0.",
    "dots must be 1-%(limit)s and max_per_item 1 up to dots.": "dots skal være 1-%(limit)s og max_per_item fra 1 op til dots.",
    "%(field)s must be text.": "%(field)s skal være tekst.",
    "client_id must be text of 1 to %(limit)s characters.": "client_id skal være tekst på 1 til %(limit)s tegn.",
    "The file is larger than 1 MB.": "Filen er større end 1 MB.",
    "The text is larger than 1 MB.": "Teksten er større end 1 MB.",
    "The facilitator token is required to export.": "Facilitatorens nøgle er påkrævet for at eksportere.",
    "The facilitator token is required for the report.": "Facilitatorens nøgle er påkrævet for rapporten.",
    "Too many workshops created from here. Wait a minute.": "For mange workshops oprettet herfra. Vent et minut.",
    "Creating workshops needs the organiser password (Authorization: Bearer <password>).":
        "Det kræver arrangøradgangskoden at oprette workshops (Authorization: Bearer <adgangskode>).",
    "language must be da or en.": "language skal være da eller en.",
    "That facilitator link is not valid for this workshop.": "Det facilitatorlink gælder ikke for denne workshop.",
    "Vote for one idea_id or one cluster_id.": "Stem på ét idea_id eller ét cluster_id.",
    "The results are shown after the vote.": "Resultaterne vises efter afstemningen.",
    "There are no ideas to import.": "Der er ingen idéer at importere.",
    "At most %(limit)s ideas can be imported at once.": "Højst %(limit)s idéer kan importeres ad gangen.",
    "This workshop has been deleted.": "Denne workshop er blevet slettet.",
    "The message must be a JSON object.": "Beskeden skal være et JSON-objekt.",
    "%(name)s is required.": "%(name)s er påkrævet.",
    "%(name)s must be a whole number.": "%(name)s skal være et helt tal.",
    "%(name)s must be true or false.": "%(name)s skal være true eller false.",
    "%(name)s must be text.": "%(name)s skal være tekst.",
    "%(name)s must be a list.": "%(name)s skal være en liste.",
    "%(name)s must be a list of whole numbers.": "%(name)s skal være en liste af hele tal.",
    "tables must be a list of at most %(limit)s names.": "tables skal være en liste med højst %(limit)s navne.",
    "names must be one of: %(choices)s.": "names skal være en af: %(choices)s.",
    "idea_cap must be a number from 1 to 1000, or null.": "idea_cap skal være et tal fra 1 til 1000 eller null.",
    "Ideas can only be changed while posting is open.": "Idéer kan kun ændres, mens der er åbent for nye idéer.",
    "Choose two different themes to merge.": "Vælg to forskellige temaer at lægge sammen.",
    # Each question is its own round (issue 20)
    "cluster_ids must list every theme of the active question once.":
        "cluster_ids skal nævne hvert tema under det aktive spørgsmål én gang.",
    "That belongs to another question: dots go on this question's ideas and themes.":
        "Det hører til et andet spørgsmål: prikkerne går til dette spørgsmåls idéer og temaer.",
    "An idea goes only into a theme of its own question.":
        "En idé kan kun komme i et tema under sit eget spørgsmål.",
    "Every suggestion is handled. Suggest again for the ideas still unsorted.":
        "Alle forslag er behandlet. Foreslå igen for de idéer, der endnu ikke er sorteret.",
    "Just in": "Lige kommet",
    "{n} themes": "{n} temaer",
    "Look back": "Se tilbage",
    "Looking back at an earlier question: {question}": "Du ser tilbage på et tidligere spørgsmål: {question}",
    "Back to the active question": "Tilbage til det aktive spørgsmål",
    "Only themes of the same question can be merged.":
        "Kun temaer under det samme spørgsmål kan lægges sammen.",
    "prompt_id must be the number of one of the questions.":
        "prompt_id skal være nummeret på et af spørgsmålene.",
    "Question %(n)s": "Spørgsmål %(n)s",
    "suggestions must be a list of {label, idea_ids}.": "suggestions skal være en liste af {label, idea_ids}.",
    "Choose at least two ideas to stack.": "Vælg mindst to idéer at stakke.",
    "Choose at least one idea to move.": "Vælg mindst én idé at flytte.",
    "In this vote, dots go on ideas, not on themes.": "I denne afstemning gives prikker til idéer, ikke til temaer.",
    "In this vote, dots go on themes, not on single ideas.": "I denne afstemning gives prikker til temaer, ikke til enkelte idéer.",
    "vote_on must be one of: %(choices)s.": "vote_on skal være en af: %(choices)s.",
    # issue 11: security
    "The page was out of date or the upload too large. Go back, reload the page and try again.":
        "Siden var forældet, eller filen var for stor. Gå tilbage, genindlæs siden og prøv igen.",
    "The form has expired or the request is not valid. Reload the page and try again.":
        "Formularen er udløbet, eller forespørgslen er ugyldig. Genindlæs siden, og prøv igen.",
    "Too many wrong attempts from this address. Wait a minute.":
        "For mange forkerte forsøg fra denne adresse. Vent et minut.",
    "The request is too large.": "Forespørgslen er for stor.",
    "The text is not valid Unicode.": "Teksten er ikke gyldig Unicode.",
    "That number is too large.": "Tallet er for stort.",
    "The message is nested too deeply.": "Beskeden er indlejret for dybt.",
    "You cannot change table while voting.": "Du kan ikke skifte bord under afstemningen.",
    "Many phones are joining at once. Wait a moment.": "Mange telefoner deltager på én gang. Vent et øjeblik.",
    # A full disk on the server (issue 26)
    "The server's disk is full, so this was not saved. It goes through once the organiser frees space.":
        "Serverens disk er fuld, så det blev ikke gemt. Det går igennem, når arrangøren har frigjort plads.",
    "The server's disk is full. Your idea is kept on this phone and sent again by itself.":
        "Serverens disk er fuld. Din idé er gemt på telefonen og sendes igen af sig selv.",
    ("The server's disk is full: new ideas and changes are not saved. Phones keep their ideas and send"
     " them again once the organiser frees space on the server."):
        ("Serverens disk er fuld: nye idéer og ændringer bliver ikke gemt. Telefonerne gemmer deres idéer"
         " og sender dem igen, når arrangøren har frigjort plads på serveren."),
}


def main() -> None:
    """Write the Danish text of every message, and report any the table lacks."""
    path = Path(__file__).parent / "da" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="da")
    missing = []
    for message in catalog:
        if message.id:
            message.string = DANISH.get(message.id, "")
            message.flags.discard("fuzzy")
            if not message.string:
                missing.append(message.id)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100)
    if missing:
        raise SystemExit(f"untranslated: {missing}")


if __name__ == "__main__":
    main()
