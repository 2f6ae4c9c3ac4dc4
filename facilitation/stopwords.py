"""Compact Danish and English stopword lists for the theme-suggestion engine."""

# Hand-written (based on the Snowball lists) so nothing is downloaded at run time; a few
# filler words common in workshop ideas ("flere", "bedre", "please") are added because they
# say nothing about what an idea is about.
DANISH: frozenset[str] = frozenset("""
ad af al alle alt altid anden andet andre at bare blev blive bliver bedre bør da de dem den denne
dens der deres det dette dig din dine disse dit dog du efter eller en end endnu er et få før for
fra gerne god godt ham han hans har have havde hende hendes her hos hun hvad hvem hver hvilke
hvilken hvis hvor hvordan hvorfor i ikke ind ingen jer jeg jo kan kun kunne lad lidt lige man
mange med meget men mere mest mig min mine mit mod måske når nej noget nogen nogle nu ny nye og
også om op os over på se selv sig sin sine sit skal skulle som sådan til ud under vi vil ville
venligst vor vores være været var flere hel helt rigtig tak
""".split())

ENGLISH: frozenset[str] = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below better between both but by can could did do does doing down during each few for from
further get got had has have having he her here hers him his how i if in into is it its itself
just let lets like me more most much my myself new no nor not now of off on once only or other
our ours out over own please really same she should so some such than that the their theirs
them then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself s t ll re ve d m don
""".split())
