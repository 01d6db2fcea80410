"""A realistic, fictional demo network for the Tessere project in Campi Bisenzio.

Pure data: the ``demo`` command reads these structures to fill the database. Organizations, people, codici
fiscali, e-mail addresses and phone numbers are invented; street names are real streets of Campi Bisenzio, with
made-up house numbers. Codici fiscali are 11 digits with a valid check digit (the same algorithm as a partita
IVA), so forms that validate them accept the demo data.

Every offer speaks the codes of ``forms.vocabulary``. A few needs of the plan are left WITHOUT any offer on purpose,
so that the "needs with no offer" report has something to show:

- ``post_adozione``            (Infanzia e responsabilità familiari: attività di gruppo post adozione)
- ``affido``                   (Infanzia e responsabilità familiari: supporto al centro affidi di zona)
- ``pet_therapy``              (Disabilità e ridotta autonomia: pet therapy)
- ``comunicazione_sensoriale`` (Disabilità e ridotta autonomia: attività di comunicazione sensoriale)

That leaves 35 of the 39 needs covered (about 90%).
"""

from __future__ import annotations

DEMO_PASSWORD = "tessere-demo-2026"

# Needs deliberately left without an offer (see the module docstring).
UNCOVERED_NEEDS: tuple[str, ...] = ("post_adozione", "affido", "pet_therapy", "comunicazione_sensoriale")

STAFF_USERS: list[dict] = [
    {"email": "assistente.sociale@demo.tessere.it", "name": "Giulia Benvenuti", "role": "social_worker"},
    {"email": "assistente.sociale2@demo.tessere.it", "name": "Marco Innocenti", "role": "social_worker"},
    {"email": "assistente.sociale3@demo.tessere.it", "name": "Samira El Amrani", "role": "social_worker"},
    {"email": "responsabile@demo.tessere.it", "name": "Laura Cappellini", "role": "manager"},
    {"email": "admin@demo.tessere.it", "name": "Paolo Mugnaini", "role": "admin"},
]

# Codici fiscali of the organizations (valid check digit per stdnum.it.iva).
_CF_GRANAIO = "94770720483"
_CF_LA_TELA = "06942230480"
_CF_SPAZIO_DONNA = "94221680484"
_CF_PARROCCHIA = "80656320480"
_CF_CIRCOLO_PONTE = "94997830487"
_CF_POLISPORTIVA = "94735890488"
_CF_COMPAGNI_STRADA = "94000100480"
_CF_TESSITORI = "05155410482"
_CF_MONDO_COMUNE = "94200350489"
_CF_FARO = "94651900485"
_CF_RIPOSTIGLIO = "94630600487"
_CF_SOGLIA = "94946740480"
_CF_ORTI = "94517160480"
_CF_PASSO = "06048560483"
_CF_MASCHERE = "94784500483"
_CF_GENITORI = "94185740480"

# Addresses used by both organizations and offers.
_ADDR_GRANAIO = "Via Barberinese 118, 50013 Campi Bisenzio (FI)"
_ADDR_LA_TELA = "Via Tosca Fiesoli 45, 50013 Campi Bisenzio (FI)"
_ADDR_SPAZIO_DONNA = "Via Santo Stefano 12, 50013 Campi Bisenzio (FI)"
_ADDR_PARROCCHIA = "Via del Fornello 7, 50013 Campi Bisenzio (FI)"
_ADDR_CIRCOLO_PONTE = "Via di Capalle 31, 50013 Capalle - Campi Bisenzio (FI)"
_ADDR_POLISPORTIVA = "Via Fratelli Rosselli 20, 50013 Campi Bisenzio (FI)"
_ADDR_COMPAGNI_STRADA = "Via Buozzi 64, 50013 Campi Bisenzio (FI)"
_ADDR_TESSITORI = "Via Palagetta 9, 50013 Campi Bisenzio (FI)"
_ADDR_MONDO_COMUNE = "Via Pistoiese 210, 50013 San Donnino - Campi Bisenzio (FI)"
_ADDR_FARO = "Via Orly 36, 50013 Campi Bisenzio (FI)"
_ADDR_RIPOSTIGLIO = "Via Allende 88, 50013 Campi Bisenzio (FI)"
_ADDR_SOGLIA = "Via Saffi 5, 50013 Campi Bisenzio (FI)"
_ADDR_ORTI = "Via di Limite 150, 50013 Campi Bisenzio (FI)"
_ADDR_PASSO = "Via Vittorio Veneto 27, 50013 Campi Bisenzio (FI)"
_ADDR_MASCHERE = "Piazza Dante 14, 50013 Campi Bisenzio (FI)"
_ADDR_GENITORI = "Via Gramsci 52, 50013 Campi Bisenzio (FI)"

ORGANIZATIONS: list[dict] = [
    {
        "name": "Emporio Solidale Il Granaio ODV",
        "codice_fiscale": _CF_GRANAIO,
        "type": "odv",
        "email": "emporio.granaio@demo.tessere.it",
        "phone": "055 8951234",
        "address": _ADDR_GRANAIO,
        "description": (
            "Gestisce un emporio solidale dove le famiglie in difficoltà fanno la spesa gratuitamente con una "
            "tessera a punti. Recupera le eccedenze alimentari dei supermercati della Piana e organizza la "
            "consegna di pacchi a domicilio per chi non può muoversi."
        ),
        "area": "Campi Bisenzio - Centro",
        "legal_representative": "Roberto Bartolini",
        "registry": "RUNTS - sezione ODV n. 1187",
        "operator": {"email": "operatore@demo.tessere.it", "name": "Chiara Lombardi"},
    },
    {
        "name": "La Tela Cooperativa Sociale",
        "codice_fiscale": _CF_LA_TELA,
        "type": "cooperativa_sociale",
        "email": "cooperativa.latela@demo.tessere.it",
        "phone": "055 8964417",
        "address": _ADDR_LA_TELA,
        "description": (
            "Cooperativa sociale di tipo B con un laboratorio di sartoria e stireria e una squadra di manutenzione "
            "del verde. Accoglie tirocini di inclusione e borse lavoro per persone con disabilità o seguite dai "
            "servizi di salute mentale, in accordo con la AUSL Toscana centro."
        ),
        "area": "Campi Bisenzio - zona industriale",
        "legal_representative": "Elena Mazzoni",
        "registry": "Albo regionale cooperative sociali - sezione B n. 214",
        "operator": {"email": "operatore2@demo.tessere.it", "name": "Davide Fabbri"},
    },
    {
        "name": "Spazio Donna Bisenzio ODV",
        "codice_fiscale": _CF_SPAZIO_DONNA,
        "type": "odv",
        "email": "spaziodonna.bisenzio@demo.tessere.it",
        "phone": "055 8977302",
        "address": _ADDR_SPAZIO_DONNA,
        "description": (
            "Associazione di volontarie formate che offre ascolto riservato alle donne che vivono relazioni "
            "violente, in contatto costante con il centro antiviolenza della zona. Cura incontri informativi sui "
            "diritti e laboratori di prevenzione nelle scuole."
        ),
        "area": "Campi Bisenzio - tutto il territorio comunale",
        "legal_representative": "Silvia Paoletti",
        "registry": "RUNTS - sezione ODV n. 2043",
        "operator": {"email": "operatore3@demo.tessere.it", "name": "Francesca Nocentini"},
    },
    {
        "name": "Parrocchia di San Michele al Fornello - Centro di ascolto",
        "codice_fiscale": _CF_PARROCCHIA,
        "type": "parrocchia",
        "email": "centroascolto.fornello@demo.tessere.it",
        "phone": "055 8940618",
        "address": _ADDR_PARROCCHIA,
        "description": (
            "Il centro di ascolto parrocchiale accoglie persone e famiglie in difficoltà economica e gestisce una "
            "piccola mensa del mezzogiorno nei locali della canonica. Un gruppo di volontari visita e telefona "
            "regolarmente agli anziani soli della frazione."
        ),
        "area": "Campi Bisenzio - Fornello",
        "legal_representative": "don Alessandro Venturi",
        "registry": "",
        "operator": {"email": "operatore4@demo.tessere.it", "name": "Anna Magnolfi"},
    },
    {
        "name": "Circolo Ricreativo Il Ponte di Capalle",
        "codice_fiscale": _CF_CIRCOLO_PONTE,
        "type": "circolo",
        "email": "circolo.ilponte@demo.tessere.it",
        "phone": "055 8985561",
        "address": _ADDR_CIRCOLO_PONTE,
        "description": (
            "Circolo storico della frazione di Capalle, punto di ritrovo per gli anziani del paese. Organizza "
            "pomeriggi di gioco e merenda, il pranzo sociale della domenica e uno sportello dove i volontari "
            "aiutano a orientarsi tra i servizi pubblici."
        ),
        "area": "Campi Bisenzio - Capalle",
        "legal_representative": "Mauro Cecchi",
        "registry": "",
        "operator": {"email": "operatore5@demo.tessere.it", "name": "Luciano Gori"},
    },
    {
        "name": "Polisportiva Bisenzio Insieme ASD",
        "codice_fiscale": _CF_POLISPORTIVA,
        "type": "associazione_sportiva",
        "email": "polisportiva.bisenzioinsieme@demo.tessere.it",
        "phone": "055 8962290",
        "address": _ADDR_POLISPORTIVA,
        "description": (
            "Associazione sportiva dilettantistica con corsi di calcio, minivolley, nuoto e basket. Da anni "
            "propone squadre integrate in cui giocano insieme ragazzi con e senza disabilità, e tiene quote "
            "ridotte per le famiglie segnalate dal Servizio sociale."
        ),
        "area": "Campi Bisenzio - Centro e San Martino",
        "legal_representative": "Stefano Ciampi",
        "registry": "Registro nazionale attività sportive dilettantistiche n. 418822",
        "operator": {"email": "operatore6@demo.tessere.it", "name": "Irene Bacci"},
    },
    {
        "name": "Compagni di Strada ODV",
        "codice_fiscale": _CF_COMPAGNI_STRADA,
        "type": "odv",
        "email": "compagnidistrada@demo.tessere.it",
        "phone": "055 8953376",
        "address": _ADDR_COMPAGNI_STRADA,
        "description": (
            "Volontari con due mezzi attrezzati per il trasporto sociale di anziani e persone con disabilità verso "
            "visite mediche, terapie e uffici pubblici. Consegnano a domicilio spesa e farmaci e accompagnano le "
            "persone nelle commissioni di tutti i giorni."
        ),
        "area": "Campi Bisenzio - tutto il territorio comunale",
        "legal_representative": "Giancarlo Puggelli",
        "registry": "RUNTS - sezione ODV n. 0962",
        "operator": {"email": "operatore7@demo.tessere.it", "name": "Sandra Vannucci"},
    },
    {
        "name": "Tessitori di Legami Cooperativa Sociale",
        "codice_fiscale": _CF_TESSITORI,
        "type": "cooperativa_sociale",
        "email": "tessitoridilegami@demo.tessere.it",
        "phone": "055 8978140",
        "address": _ADDR_TESSITORI,
        "description": (
            "Cooperativa sociale di tipo A che lavora con bambini, ragazzi e famiglie. Gestisce un doposcuola, "
            "un centro estivo inclusivo con educatori di sostegno e uno spazio di consulenza per i genitori."
        ),
        "area": "Campi Bisenzio - San Martino e Palagetta",
        "legal_representative": "Valentina Parrini",
        "registry": "Albo regionale cooperative sociali - sezione A n. 87",
        "operator": {"email": "operatore8@demo.tessere.it", "name": "Tommaso Landi"},
    },
    {
        "name": "Mondo Comune APS",
        "codice_fiscale": _CF_MONDO_COMUNE,
        "type": "aps",
        "email": "mondocomune@demo.tessere.it",
        "phone": "055 8991025",
        "address": _ADDR_MONDO_COMUNE,
        "description": (
            "Associazione interculturale nata a San Donnino, dove vivono molte famiglie di origine cinese, "
            "marocchina e albanese. Tiene corsi di italiano ed educazione civica per adulti e uno sportello "
            "sui diritti rivolto alle donne straniere, con mediatrici linguistiche."
        ),
        "area": "Campi Bisenzio - San Donnino",
        "legal_representative": "Wei Lin Chen",
        "registry": "RUNTS - sezione APS n. 3318",
        "operator": {"email": "operatore9@demo.tessere.it", "name": "Khadija Benali"},
    },
    {
        "name": "Il Faro della Piana APS",
        "codice_fiscale": _CF_FARO,
        "type": "aps",
        "email": "ilfarodellapiana@demo.tessere.it",
        "phone": "055 8969573",
        "address": _ADDR_FARO,
        "description": (
            "Associazione di familiari e utenti dei servizi di salute mentale. Offre un punto di ascolto, "
            "gruppi di auto mutuo aiuto e iniziative pubbliche contro lo stigma, in collaborazione con il "
            "centro di salute mentale della zona."
        ),
        "area": "Campi Bisenzio e Piana fiorentina",
        "legal_representative": "Marisa Baldini",
        "registry": "RUNTS - sezione APS n. 2751",
        "operator": {"email": "operatore10@demo.tessere.it", "name": "Andrea Pieraccini"},
    },
    {
        "name": "Il Ripostiglio Solidale ODV",
        "codice_fiscale": _CF_RIPOSTIGLIO,
        "type": "odv",
        "email": "ripostigliosolidale@demo.tessere.it",
        "phone": "055 8946689",
        "address": _ADDR_RIPOSTIGLIO,
        "description": (
            "Raccoglie, sistema e ridistribuisce abiti, biancheria, mobili e piccoli elettrodomestici donati dai "
            "cittadini. Le persone seguite dal Servizio sociale ricevono gratuitamente ciò che serve per la casa, "
            "con la possibilità del ritiro e del montaggio a domicilio."
        ),
        "area": "Campi Bisenzio - Il Rosi",
        "legal_representative": "Patrizia Lotti",
        "registry": "RUNTS - sezione ODV n. 1530",
        "operator": {"email": "operatore11@demo.tessere.it", "name": "Giorgio Sarti"},
    },
    {
        "name": "Casa La Soglia ETS",
        "codice_fiscale": _CF_SOGLIA,
        "type": "ets",
        "email": "casalasoglia@demo.tessere.it",
        "phone": "055 8959947",
        "address": _ADDR_SOGLIA,
        "description": (
            "Ente del terzo settore che gestisce una casa di accoglienza notturna per persone senza dimora. "
            "Nei mesi invernali apre il servizio di emergenza freddo con docce, colazione calda e un deposito "
            "bagagli."
        ),
        "area": "Campi Bisenzio - Centro",
        "legal_representative": "Fabio Rossetti",
        "registry": "RUNTS - sezione Altri enti del Terzo settore n. 4102",
        "operator": {"email": "operatore12@demo.tessere.it", "name": "Elisa Martelli"},
    },
    {
        "name": "Orti in Comune APS",
        "codice_fiscale": _CF_ORTI,
        "type": "aps",
        "email": "orti.incomune@demo.tessere.it",
        "phone": "055 8987714",
        "address": _ADDR_ORTI,
        "description": (
            "Cura gli orti sociali sul terreno comunale di Via di Limite, dove anziani, giovani e persone "
            "seguite dai servizi coltivano insieme. Organizza laboratori di giardinaggio inclusivi e la festa "
            "del raccolto aperta al quartiere."
        ),
        "area": "Campi Bisenzio - Sant'Angelo a Lecore e Limite",
        "legal_representative": "Renzo Bonechi",
        "registry": "RUNTS - sezione APS n. 2988",
        "operator": {"email": "operatore13@demo.tessere.it", "name": "Martina Cioni"},
    },
    {
        "name": "Passo dopo Passo Cooperativa Sociale",
        "codice_fiscale": _CF_PASSO,
        "type": "cooperativa_sociale",
        "email": "passodopopasso@demo.tessere.it",
        "phone": "055 8972258",
        "address": _ADDR_PASSO,
        "description": (
            "Cooperativa sociale che gestisce un centro diurno pomeridiano per giovani adulti con disabilità. "
            "Propone fine settimana di sollievo per dare respiro alle famiglie e attività nel paese per "
            "costruire autonomia e relazioni."
        ),
        "area": "Campi Bisenzio - Centro e San Piero a Ponti",
        "legal_representative": "Cristina Falorni",
        "registry": "Albo regionale cooperative sociali - sezione A n. 132",
        "operator": {"email": "operatore14@demo.tessere.it", "name": "Lorenzo Biagini"},
    },
    {
        "name": "Compagnia Teatrale Le Maschere",
        "codice_fiscale": _CF_MASCHERE,
        "type": "associazione",
        "email": "lemaschere.teatro@demo.tessere.it",
        "phone": "055 8965031",
        "address": _ADDR_MASCHERE,
        "description": (
            "Associazione culturale che fa teatro sociale con attori professionisti e non. I suoi laboratori "
            "coinvolgono persone con disabilità e con disagio psichico e si concludono con uno spettacolo "
            "aperto alla cittadinanza; il sabato tiene un laboratorio per ragazzi."
        ),
        "area": "Campi Bisenzio - Centro",
        "legal_representative": "Niccolò Ferroni",
        "registry": "",
        "operator": {"email": "operatore15@demo.tessere.it", "name": "Beatrice Salvadori"},
    },
    {
        "name": "Genitori in Rete",
        "codice_fiscale": _CF_GENITORI,
        "type": "associazione",
        "email": "genitoriinrete@demo.tessere.it",
        "phone": "055 8948825",
        "address": _ADDR_GENITORI,
        "description": (
            "Associazione di genitori che si aiutano a vicenda nei momenti difficili della crescita dei figli. "
            "Organizza gruppi di parola condotti da una psicologa e una ludoteca del sabato mattina aperta a "
            "tutte le famiglie."
        ),
        "area": "Campi Bisenzio - San Lorenzo e Villa Montalvo",
        "legal_representative": "Federica Tozzi",
        "registry": "",
        "operator": {"email": "operatore16@demo.tessere.it", "name": "Matteo Guarducci"},
    },
]

_SERVIZIO_SOCIALE = "Su invio del Servizio sociale"

OFFERS: list[dict] = [
    # --- Emporio Solidale Il Granaio ODV -------------------------------------------------------------------------
    {
        "organization_cf": _CF_GRANAIO,
        "title": "Emporio solidale: spesa con tessera a punti",
        "description": (
            "Le famiglie ricevono una tessera con punti mensili, calcolati sul numero dei componenti, per fare la "
            "spesa di alimenti freschi e confezionati e prodotti per l'igiene. La tessera dura sei mesi ed è "
            "rinnovabile dopo un colloquio con i volontari."
        ),
        "target_groups": ["poverta"],
        "needs": ["generi_alimentari"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": _ADDR_GRANAIO,
        "schedule": "Martedì e venerdì 9:00-12:30; giovedì 15:00-18:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del centro di ascolto; colloquio di accoglienza all'emporio",
        "eligibility": "Nuclei residenti a Campi Bisenzio con ISEE fino a 9.000 euro",
        "languages": ["it", "en", "fr"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_GRANAIO,
        "title": "Pacchi alimentari a domicilio per anziani soli",
        "description": (
            "Ogni due settimane i volontari portano a casa un pacco di generi alimentari, concordato con la "
            "persona in base a gusti e diete. La consegna è anche un'occasione per controllare che vada tutto bene."
        ),
        "target_groups": ["anziani", "poverta"],
        "needs": ["spesa_farmaci", "generi_alimentari"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": "A domicilio, in tutto il territorio comunale",
        "schedule": "Mercoledì mattina, a settimane alterne",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; telefonata di conferma all'emporio",
        "eligibility": "Persone over 70 sole o con ridotta mobilità, in difficoltà economica",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_GRANAIO,
        "title": "Dare una mano: Progetti Utili alla Collettività all'emporio",
        "description": (
            "I beneficiari di misure di sostegno al reddito svolgono il loro PUC nell'emporio: accoglienza dei "
            "clienti, sistemazione degli scaffali, ritiro delle eccedenze. Un tutor volontario li segue e "
            "certifica le ore svolte."
        ),
        "target_groups": ["poverta"],
        "needs": ["sostegno_solidale"],
        "capacity_total": 6,
        "capacity_unit": "posti",
        "location": _ADDR_GRANAIO,
        "schedule": "Dal lunedì al venerdì, turni di 4 ore concordati",
        "how_to_access": f"{_SERVIZIO_SOCIALE} nell'ambito del patto di inclusione; colloquio preliminare",
        "eligibility": "Beneficiari di misure di inclusione tenuti ai PUC",
        "languages": ["it", "en"],
        "cost": "Gratuito",
    },
    # --- La Tela Cooperativa Sociale ----------------------------------------------------------------------------
    {
        "organization_cf": _CF_LA_TELA,
        "title": "Tirocini di inclusione in sartoria e stireria",
        "description": (
            "Tirocini di sei mesi nel laboratorio di sartoria: riparazioni, stiratura e confezionamento per "
            "clienti privati e aziende tessili della Piana. Ogni tirocinante ha un progetto individuale e un "
            "tutor, con verifiche periodiche insieme ai servizi invianti."
        ),
        "target_groups": ["disabilita", "disagio_psichico"],
        "needs": ["inserimento_lavorativo", "percorsi_inclusione"],
        "capacity_total": 8,
        "capacity_unit": "posti",
        "location": _ADDR_LA_TELA,
        "schedule": "Dal lunedì al venerdì 8:30-12:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del servizio di salute mentale; colloquio e prova di una settimana",
        "eligibility": "Persone dai 18 ai 55 anni con invalidità civile o in carico ai servizi di salute mentale",
        "languages": ["it"],
        "cost": "Gratuito; indennità di tirocinio a carico del progetto",
    },
    {
        "organization_cf": _CF_LA_TELA,
        "title": "Squadra del verde: borse lavoro",
        "description": (
            "Borse lavoro nella squadra che cura aiuole, parchi e giardini scolastici per conto del Comune e di "
            "condomini. Si impara a usare gli attrezzi in sicurezza e si lavora in gruppo con un capo squadra."
        ),
        "target_groups": ["disagio_psichico", "poverta"],
        "needs": ["percorsi_inclusione", "sostegno_solidale"],
        "capacity_total": 6,
        "capacity_unit": "posti",
        "location": "Cantieri sul territorio; ritrovo in " + _ADDR_LA_TELA,
        "schedule": "Lunedì, mercoledì e venerdì 7:30-12:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del SerD; colloquio preliminare",
        "eligibility": "Adulti in percorsi di recupero dalle dipendenze o disoccupati di lungo periodo",
        "languages": ["it", "sq"],
        "cost": "Gratuito; borsa lavoro mensile",
    },
    {
        "organization_cf": _CF_LA_TELA,
        "title": "Educativa per l'autonomia quotidiana",
        "description": (
            "Un educatore affianca la persona nelle attività di tutti i giorni: gestione della casa, spesa, "
            "pagamento delle bollette, uso dei mezzi pubblici e degli sportelli. Aiuta anche a non perdere gli "
            "appuntamenti dei percorsi di cura."
        ),
        "target_groups": ["disagio_psichico"],
        "needs": ["accompagnamento_quotidiano", "fruizione_percorsi"],
        "capacity_total": 40,
        "capacity_unit": "ore",
        "location": "A domicilio e sul territorio comunale",
        "schedule": "Orari concordati, dal lunedì al sabato",
        "how_to_access": f"{_SERVIZIO_SOCIALE} d'intesa con il centro di salute mentale",
        "eligibility": "Adulti in carico al centro di salute mentale che vivono da soli",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Spazio Donna Bisenzio ODV -----------------------------------------------------------------------------
    {
        "organization_cf": _CF_SPAZIO_DONNA,
        "title": "Sportello di ascolto per donne",
        "description": (
            "Un luogo riservato dove parlare con volontarie formate di ciò che accade in casa o nella coppia. "
            "Quando la donna lo desidera, lo sportello la mette in contatto diretto con il centro antiviolenza "
            "e la accompagna al primo appuntamento."
        ),
        "target_groups": ["violenza_genere"],
        "needs": ["ascolto_antiviolenza", "contrasto_maltrattamento"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": _ADDR_SPAZIO_DONNA,
        "schedule": "Lunedì 15:00-19:00; giovedì 9:00-13:00",
        "how_to_access": "Accesso diretto o su invio del Servizio sociale; anche su appuntamento telefonico",
        "eligibility": "Donne maggiorenni",
        "languages": ["it", "en", "es"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_SPAZIO_DONNA,
        "title": "Conoscere i propri diritti: incontri sulla normativa antiviolenza",
        "description": (
            "Cicli di tre incontri con un'avvocata e un'operatrice del centro antiviolenza su ordini di "
            "protezione, codice rosso, separazione e affidamento dei figli. Gli incontri si tengono anche nei "
            "circoli e nelle associazioni che ne fanno richiesta."
        ),
        "target_groups": ["violenza_genere"],
        "needs": ["normativa", "sensibilizzazione"],
        "capacity_total": 30,
        "capacity_unit": "posti",
        "location": "Biblioteca comunale, Villa Montalvo, Via di Limite 15, 50013 Campi Bisenzio (FI)",
        "schedule": "Un martedì al mese 18:00-20:00",
        "how_to_access": "Accesso libero con iscrizione",
        "eligibility": "Aperto a tutte e tutti",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_SPAZIO_DONNA,
        "title": "Gruppo di auto mutuo aiuto per donne",
        "description": (
            "Gruppo chiuso di donne che stanno uscendo da una relazione maltrattante, facilitato da una "
            "psicologa. Ci si incontra ogni settimana per quattro mesi per ricostruire fiducia e rete di sostegno."
        ),
        "target_groups": ["violenza_genere"],
        "needs": ["contrasto_maltrattamento"],
        "capacity_total": 10,
        "capacity_unit": "posti",
        "location": _ADDR_SPAZIO_DONNA,
        "schedule": "Mercoledì 17:30-19:30",
        "how_to_access": "Su invio del Servizio sociale o del centro antiviolenza; colloquio individuale",
        "eligibility": "Donne già in contatto con il centro antiviolenza",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_SPAZIO_DONNA,
        "title": "Relazioni senza violenza: laboratori nelle scuole",
        "description": (
            "Percorsi di quattro incontri nelle classi delle scuole medie su stereotipi, rispetto e gestione dei "
            "conflitti. A conclusione, un incontro con i genitori per condividere quanto emerso."
        ),
        "target_groups": ["violenza_genere", "infanzia_famiglie"],
        "needs": ["sensibilizzazione", "attivita_educative"],
        "capacity_total": 25,
        "capacity_unit": "posti",
        "location": "Scuole secondarie di primo grado di Campi Bisenzio",
        "schedule": "Da ottobre a maggio, in orario scolastico",
        "how_to_access": "Richiesta della scuola o del Servizio sociale; programmazione con i docenti",
        "eligibility": "Classi delle scuole medie del territorio",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Parrocchia di San Michele al Fornello -----------------------------------------------------------------
    {
        "organization_cf": _CF_PARROCCHIA,
        "title": "Mensa del mezzogiorno",
        "description": (
            "Pranzo caldo servito ai tavoli nei locali della canonica, con primo, secondo, contorno e frutta. "
            "Chi non può fermarsi può ritirare il pasto da asporto."
        ),
        "target_groups": ["poverta"],
        "needs": ["mensa"],
        "capacity_total": 35,
        "capacity_unit": "posti",
        "location": _ADDR_PARROCCHIA,
        "schedule": "Dal lunedì al sabato 12:00-13:30",
        "how_to_access": "Accesso diretto con tesserino rilasciato dal centro di ascolto o dal Servizio sociale",
        "eligibility": "Persone in grave difficoltà economica, anche senza residenza",
        "languages": ["it", "en", "ar"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_PARROCCHIA,
        "title": "Centro di ascolto e fondo per le utenze",
        "description": (
            "I volontari del centro di ascolto incontrano le famiglie e, dopo una valutazione condivisa con il "
            "Servizio sociale, contribuiscono al pagamento di bollette, affitti arretrati o spese scolastiche. "
            "Il contributo è una tantum e si accompagna a un piano per evitare nuovi debiti."
        ),
        "target_groups": ["poverta"],
        "needs": ["sostegno_economico"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": _ADDR_PARROCCHIA,
        "schedule": "Martedì e giovedì 16:00-18:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o accesso diretto al centro di ascolto; colloquio",
        "eligibility": "Famiglie residenti nel territorio parrocchiale o segnalate dal Servizio sociale",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_PARROCCHIA,
        "title": "Visite e telefonate amiche agli anziani soli",
        "description": (
            "Un volontario fisso telefona almeno due volte a settimana e fa visita una volta a settimana "
            "all'anziano, per fare due chiacchiere, leggere il giornale o fare una passeggiata. Segnala al "
            "Servizio sociale eventuali peggioramenti."
        ),
        "target_groups": ["anziani"],
        "needs": ["ascolto_anziani", "contrasto_solitudine"],
        "capacity_total": 25,
        "capacity_unit": "posti",
        "location": "A domicilio, frazioni di Fornello, San Martino e Centro",
        "schedule": "Orari concordati con la persona",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o segnalazione dei familiari",
        "eligibility": "Anziani che vivono soli",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Circolo Ricreativo Il Ponte di Capalle ----------------------------------------------------------------
    {
        "organization_cf": _CF_CIRCOLO_PONTE,
        "title": "Pomeriggi insieme: tombola, carte e merenda",
        "description": (
            "Tre pomeriggi a settimana il salone del circolo si apre per giochi di carte, tombola, ballo liscio "
            "e una merenda offerta. I volontari passano a prendere con l'auto chi non sa come arrivare."
        ),
        "target_groups": ["anziani"],
        "needs": ["socializzazione_anziani", "contrasto_solitudine"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": _ADDR_CIRCOLO_PONTE,
        "schedule": "Lunedì, mercoledì e venerdì 15:00-18:30",
        "how_to_access": "Accesso libero; su segnalazione del Servizio sociale per il passaggio in auto",
        "eligibility": "Persone over 65",
        "languages": ["it"],
        "cost": "Tessera del circolo 10 euro l'anno (gratuita su invio del Servizio sociale)",
    },
    {
        "organization_cf": _CF_CIRCOLO_PONTE,
        "title": "Sportello Informanziani",
        "description": (
            "Volontari formati aiutano gli anziani e i loro familiari a capire come chiedere l'assistenza "
            "domiciliare, il trasporto sociale, le esenzioni sanitarie e i contributi per la non "
            "autosufficienza. Aiutano a prenotare visite e a usare i servizi online con lo SPID."
        ),
        "target_groups": ["anziani"],
        "needs": ["informazione_servizi"],
        "capacity_total": 12,
        "capacity_unit": "ore",
        "location": _ADDR_CIRCOLO_PONTE,
        "schedule": "Martedì e sabato 9:30-12:30",
        "how_to_access": "Accesso diretto o su appuntamento telefonico",
        "eligibility": "Anziani e familiari che li assistono",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_CIRCOLO_PONTE,
        "title": "Pranzo sociale della domenica",
        "description": (
            "Ogni domenica il circolo prepara un pranzo completo a cui sono invitati gli anziani soli e le persone "
            "segnalate dai servizi, seduti insieme ai soci. Una parte dei posti è riservata e gratuita."
        ),
        "target_groups": ["anziani", "poverta"],
        "needs": ["contrasto_solitudine", "mensa"],
        "capacity_total": 30,
        "capacity_unit": "posti",
        "location": _ADDR_CIRCOLO_PONTE,
        "schedule": "Domenica 12:30-15:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE} per i posti riservati; prenotazione entro il venerdì",
        "eligibility": "Anziani soli e persone in difficoltà economica",
        "languages": ["it"],
        "cost": "Gratuito per i posti riservati; 12 euro per i soci",
    },
    # --- Polisportiva Bisenzio Insieme ASD ---------------------------------------------------------------------
    {
        "organization_cf": _CF_POLISPORTIVA,
        "title": "Calcio e minivolley per tutti",
        "description": (
            "Corsi di calcio e minivolley per bambini e ragazzi dai 6 ai 14 anni, con allenatori qualificati. "
            "Per i ragazzi segnalati dal Servizio sociale la Polisportiva copre iscrizione, visita medica e kit."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["sport_minori"],
        "capacity_total": 30,
        "capacity_unit": "posti",
        "location": "Impianti sportivi di " + _ADDR_POLISPORTIVA,
        "schedule": "Martedì e giovedì 17:00-18:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} per la quota gratuita; iscrizione in segreteria",
        "eligibility": "Bambini e ragazzi dai 6 ai 14 anni",
        "languages": ["it", "en"],
        "cost": "Gratuito su invio del Servizio sociale; altrimenti 30 euro al mese",
    },
    {
        "organization_cf": _CF_POLISPORTIVA,
        "title": "Sport integrato: nuoto e basket inclusivo",
        "description": (
            "Squadre miste in cui ragazzi con e senza disabilità si allenano e giocano insieme, con istruttori "
            "formati e un educatore in vasca e in palestra. Si partecipa ai tornei regionali di sport integrato."
        ),
        "target_groups": ["disabilita"],
        "needs": ["sport_cultura_disabilita", "attivita_inclusive"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": "Piscina comunale e palestra di " + _ADDR_POLISPORTIVA,
        "schedule": "Sabato 9:30-11:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o richiesta della famiglia; incontro conoscitivo con l'istruttore",
        "eligibility": "Ragazzi e giovani adulti dagli 8 ai 30 anni con disabilità fisica o intellettiva",
        "languages": ["it"],
        "cost": "Quota ridotta 10 euro al mese",
    },
    {
        "organization_cf": _CF_POLISPORTIVA,
        "title": "Corso di autodifesa e consapevolezza per donne",
        "description": (
            "Dieci incontri che uniscono tecniche di difesa personale e momenti di confronto sui segnali della "
            "violenza, con la partecipazione di una volontaria di Spazio Donna Bisenzio."
        ),
        "target_groups": ["violenza_genere"],
        "needs": ["sensibilizzazione", "contrasto_maltrattamento"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": "Palestra di " + _ADDR_POLISPORTIVA,
        "schedule": "Lunedì 20:00-21:30, da marzo a maggio",
        "how_to_access": "Iscrizione in segreteria; posti riservati su invio del Servizio sociale",
        "eligibility": "Donne dai 16 anni in su",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_POLISPORTIVA,
        "title": "Gruppo di cammino Passi leggeri",
        "description": (
            "Camminate di un'ora lungo gli argini del Bisenzio e nel parco di Villa Montalvo, guidate da un "
            "istruttore. Il gruppo unisce anziani e persone seguite dal centro di salute mentale, e finisce "
            "sempre con un caffè insieme."
        ),
        "target_groups": ["disagio_psichico", "anziani"],
        "needs": ["sport_cultura_disagio", "socializzazione_anziani"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": "Ritrovo al parco di Villa Montalvo, Via di Limite, 50013 Campi Bisenzio (FI)",
        "schedule": "Martedì e venerdì 9:00-10:30",
        "how_to_access": "Accesso libero; su invio dei servizi per chi ha bisogno di essere accompagnato",
        "eligibility": "Adulti e anziani autosufficienti nel camminare",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Compagni di Strada ODV --------------------------------------------------------------------------------
    {
        "organization_cf": _CF_COMPAGNI_STRADA,
        "title": "Trasporto sociale verso visite, terapie e uffici",
        "description": (
            "Accompagnamento con mezzo attrezzato per carrozzine verso ospedali, ambulatori, centri di "
            "riabilitazione e uffici pubblici della Piana e di Firenze. Il volontario aspetta la persona e la "
            "riporta a casa."
        ),
        "target_groups": ["disabilita", "anziani"],
        "needs": ["mobilita", "accompagnamento"],
        "capacity_total": 40,
        "capacity_unit": "ore",
        "location": "Partenza dal domicilio; mete nell'area fiorentina",
        "schedule": "Dal lunedì al venerdì 7:30-18:00, su prenotazione",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; prenotazione almeno 3 giorni prima",
        "eligibility": "Persone con disabilità o anziani senza una rete familiare che li accompagni",
        "languages": ["it"],
        "cost": "Rimborso spese 3 euro a tratta (gratuito con ISEE sotto 6.000 euro)",
    },
    {
        "organization_cf": _CF_COMPAGNI_STRADA,
        "title": "Spesa e farmaci a domicilio",
        "description": (
            "La persona telefona la lista della spesa o consegna le ricette, e i volontari portano a casa spesa "
            "e farmaci entro il giorno dopo. Il pagamento avviene alla consegna con scontrino."
        ),
        "target_groups": ["anziani"],
        "needs": ["spesa_farmaci"],
        "capacity_total": 25,
        "capacity_unit": "posti",
        "location": "A domicilio, in tutto il territorio comunale",
        "schedule": "Ordini lunedì e giovedì 9:00-12:00; consegne il giorno successivo",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o richiesta diretta per telefono",
        "eligibility": "Anziani e persone non autosufficienti che non possono uscire di casa",
        "languages": ["it"],
        "cost": "Gratuito (si paga solo la spesa)",
    },
    {
        "organization_cf": _CF_COMPAGNI_STRADA,
        "title": "Accompagnamento alle commissioni",
        "description": (
            "Un volontario accompagna a piedi o in auto per le commissioni ordinarie: posta, banca, CUP, "
            "Comune, parrucchiere. Aiuta anche a capire moduli e comunicazioni dei servizi pubblici."
        ),
        "target_groups": ["anziani"],
        "needs": ["accompagnamento", "informazione_servizi"],
        "capacity_total": 20,
        "capacity_unit": "ore",
        "location": "Campi Bisenzio, a partire dal domicilio",
        "schedule": "Dal lunedì al sabato 9:00-12:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o richiesta diretta; prenotazione telefonica",
        "eligibility": "Anziani con ridotta autonomia",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Tessitori di Legami Cooperativa Sociale ---------------------------------------------------------------
    {
        "organization_cf": _CF_TESSITORI,
        "title": "Doposcuola Compiti insieme",
        "description": (
            "Educatori e volontari aiutano bambini e ragazzi nei compiti, in piccoli gruppi, con attenzione ai "
            "disturbi dell'apprendimento e a chi sta imparando l'italiano. Ogni mese c'è un incontro con le "
            "famiglie e un raccordo con gli insegnanti."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["dopo_scuola"],
        "capacity_total": 30,
        "capacity_unit": "posti",
        "location": _ADDR_TESSITORI,
        "schedule": "Dal lunedì al giovedì 14:30-17:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o segnalazione della scuola; colloquio con la famiglia",
        "eligibility": "Alunni delle scuole primarie e medie",
        "languages": ["it", "zh", "ar"],
        "cost": "Gratuito su invio del Servizio sociale; 40 euro al mese altrimenti",
    },
    {
        "organization_cf": _CF_TESSITORI,
        "title": "Centro estivo inclusivo",
        "description": (
            "Quattro settimane di centro estivo con piscina, gite e laboratori, pensate perché anche i bambini "
            "con disabilità partecipino con un educatore di sostegno dedicato. Pranzo compreso."
        ),
        "target_groups": ["infanzia_famiglie", "disabilita"],
        "needs": ["soggiorni_estivi", "attivita_inclusive"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": "Scuola primaria di San Martino, Via Palagetta, 50013 Campi Bisenzio (FI)",
        "schedule": "Dal lunedì al venerdì 8:00-16:30, luglio",
        "how_to_access": f"{_SERVIZIO_SOCIALE} per i posti agevolati; iscrizioni in aprile",
        "eligibility": "Bambini dai 6 agli 11 anni",
        "languages": ["it", "en"],
        "cost": "Gratuito su invio del Servizio sociale; 70 euro a settimana altrimenti",
    },
    {
        "organization_cf": _CF_TESSITORI,
        "title": "Spazio genitori: consulenza e gruppi",
        "description": (
            "Colloqui con una pedagogista per i genitori che attraversano un momento difficile con i figli, e "
            "gruppi a tema su adolescenza, uso degli schermi e regole in casa."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["genitorialita"],
        "capacity_total": 12,
        "capacity_unit": "posti",
        "location": _ADDR_TESSITORI,
        "schedule": "Mercoledì 17:00-20:00 su appuntamento",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o accesso diretto su appuntamento",
        "eligibility": "Genitori di minori residenti a Campi Bisenzio",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Mondo Comune APS --------------------------------------------------------------------------------------
    {
        "organization_cf": _CF_MONDO_COMUNE,
        "title": "Scuola di italiano per adulti",
        "description": (
            "Corsi di lingua italiana dai livelli A1 a B1, con lezioni di educazione civica su documenti, "
            "servizi sanitari, scuola e lavoro. Al termine si sostiene il test di livello con attestato."
        ),
        "target_groups": ["poverta"],
        "needs": ["lingua_italiana"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": _ADDR_MONDO_COMUNE,
        "schedule": "Lunedì e mercoledì 18:30-20:30; sabato 9:30-11:30",
        "how_to_access": "Accesso diretto con test d'ingresso; posti riservati su invio del Servizio sociale",
        "eligibility": "Adulti stranieri dai 16 anni",
        "languages": ["it", "zh", "ar", "sq", "en"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_MONDO_COMUNE,
        "title": "Italiano per mamme, con spazio bimbi",
        "description": (
            "Corso di italiano pensato per le madri con figli piccoli: mentre la mamma è in aula, i bambini "
            "giocano con un'educatrice nella stanza accanto. Si parla anche di scuola, pediatra e vita in famiglia."
        ),
        "target_groups": ["poverta", "infanzia_famiglie"],
        "needs": ["lingua_italiana", "genitorialita"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": _ADDR_MONDO_COMUNE,
        "schedule": "Martedì e giovedì 9:30-11:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del consultorio; iscrizione allo sportello",
        "eligibility": "Madri straniere con figli da 0 a 6 anni",
        "languages": ["it", "zh", "ar", "ur"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_MONDO_COMUNE,
        "title": "Sportello diritti per donne straniere",
        "description": (
            "Una mediatrice e un'operatrice legale spiegano, nella lingua della donna, come funzionano permesso "
            "di soggiorno, tutela contro la violenza e diritti dei figli. Se emergono situazioni di violenza, "
            "lo sportello attiva il centro antiviolenza."
        ),
        "target_groups": ["violenza_genere"],
        "needs": ["normativa", "ascolto_antiviolenza"],
        "capacity_total": 16,
        "capacity_unit": "ore",
        "location": _ADDR_MONDO_COMUNE,
        "schedule": "Venerdì 10:00-13:00",
        "how_to_access": "Accesso diretto o su invio del Servizio sociale",
        "eligibility": "Donne straniere",
        "languages": ["it", "zh", "ar", "sq", "fr"],
        "cost": "Gratuito",
    },
    # --- Il Faro della Piana APS -------------------------------------------------------------------------------
    {
        "organization_cf": _CF_FARO,
        "title": "Punto di ascolto per il disagio mentale",
        "description": (
            "Familiari e persone con disagio psichico trovano qualcuno che ascolta e li orienta tra i servizi: "
            "centro di salute mentale, gruppi, attività del territorio. I volontari possono accompagnare al "
            "primo accesso."
        ),
        "target_groups": ["disagio_psichico"],
        "needs": ["ascolto_disagio_mentale", "fruizione_percorsi"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": _ADDR_FARO,
        "schedule": "Lunedì e giovedì 16:00-19:00",
        "how_to_access": "Accesso diretto o su invio del Servizio sociale; anche telefonicamente",
        "eligibility": "Persone con disagio psichico e loro familiari",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_FARO,
        "title": "Gruppo di auto mutuo aiuto per familiari",
        "description": (
            "Incontri a cadenza quindicinale tra familiari di persone con problemi di salute mentale o "
            "dipendenze, facilitati da un familiare esperto. Si condividono fatiche e strategie e si esce "
            "dall'isolamento."
        ),
        "target_groups": ["disagio_psichico"],
        "needs": ["ascolto_disagio_mentale"],
        "capacity_total": 12,
        "capacity_unit": "posti",
        "location": _ADDR_FARO,
        "schedule": "Secondo e quarto martedì del mese 18:00-20:00",
        "how_to_access": "Colloquio preliminare con il facilitatore",
        "eligibility": "Familiari di persone in carico ai servizi di salute mentale o al SerD",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_FARO,
        "title": "Oltre lo stigma: rassegna di cinema e incontri",
        "description": (
            "Proiezioni e serate di confronto aperte alla cittadinanza sui temi della salute mentale e "
            "dell'esclusione sociale, con testimonianze di utenti e operatori. Le serate sono progettate "
            "insieme alle persone seguite dai servizi."
        ),
        "target_groups": ["disagio_psichico"],
        "needs": ["sensibilizzazione_esclusione", "sport_cultura_disagio"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": "Auditorium, Piazza Dante 14, 50013 Campi Bisenzio (FI)",
        "schedule": "Un giovedì al mese 21:00, da ottobre ad aprile",
        "how_to_access": "Accesso libero",
        "eligibility": "Aperto a tutti",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Il Ripostiglio Solidale ODV ---------------------------------------------------------------------------
    {
        "organization_cf": _CF_RIPOSTIGLIO,
        "title": "Guardaroba solidale",
        "description": (
            "Abiti, scarpe e biancheria per adulti e bambini, selezionati e puliti, distribuiti in base alla "
            "stagione e alle taglie della famiglia. Ogni nucleo può accedere una volta al mese."
        ),
        "target_groups": ["poverta"],
        "needs": ["riuso"],
        "capacity_total": 40,
        "capacity_unit": "posti",
        "location": _ADDR_RIPOSTIGLIO,
        "schedule": "Mercoledì 15:00-18:00; sabato 9:00-12:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del centro di ascolto; tessera rilasciata al primo accesso",
        "eligibility": "Famiglie e persone in difficoltà economica",
        "languages": ["it", "en"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_RIPOSTIGLIO,
        "title": "Mobili ed elettrodomestici per la casa",
        "description": (
            "Mobili, reti, materassi nuovi e piccoli elettrodomestici donati dai cittadini per chi entra in una "
            "nuova casa o l'ha persa. I volontari consegnano e montano a domicilio."
        ),
        "target_groups": ["poverta"],
        "needs": ["riuso"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": "Magazzino di " + _ADDR_RIPOSTIGLIO,
        "schedule": "Sopralluogo al magazzino il sabato 9:00-12:00; consegne il martedì",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; sopralluogo al magazzino per scegliere",
        "eligibility": "Nuclei in emergenza abitativa o appena inseriti in un alloggio",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Casa La Soglia ETS ------------------------------------------------------------------------------------
    {
        "organization_cf": _CF_SOGLIA,
        "title": "Accoglienza notturna Casa La Soglia",
        "description": (
            "Posti letto in camere da due o tre, con cena, colazione e lavanderia, per periodi fino a tre mesi "
            "rinnovabili. Un operatore accompagna ciascun ospite in un progetto verso casa e lavoro."
        ),
        "target_groups": ["poverta"],
        "needs": ["accoglienza", "senza_dimora"],
        "capacity_total": 12,
        "capacity_unit": "posti",
        "location": _ADDR_SOGLIA,
        "schedule": "Tutti i giorni 19:00-8:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; colloquio di ingresso con l'operatore",
        "eligibility": "Adulti senza dimora, uomini e donne in camere separate",
        "languages": ["it", "en", "fr", "ro"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_SOGLIA,
        "title": "Emergenza freddo: docce, colazione e deposito",
        "description": (
            "Da novembre a marzo, ogni mattina, chi dorme in strada può fare una doccia calda, cambiarsi, "
            "fare colazione e lasciare i propri bagagli in deposito. Nelle notti più fredde si aggiungono brandine."
        ),
        "target_groups": ["poverta"],
        "needs": ["senza_dimora"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": _ADDR_SOGLIA,
        "schedule": "Da novembre a marzo, tutti i giorni 7:30-10:00",
        "how_to_access": "Accesso diretto; su segnalazione dell'unità di strada o del Servizio sociale",
        "eligibility": "Persone senza dimora",
        "languages": ["it", "en", "fr", "ar", "ro"],
        "cost": "Gratuito",
    },
    # --- Orti in Comune APS ------------------------------------------------------------------------------------
    {
        "organization_cf": _CF_ORTI,
        "title": "Orti sociali intergenerazionali",
        "description": (
            "Ogni partecipante cura una parcella dell'orto insieme a un ortolano esperto, spesso un pensionato "
            "del quartiere. Il raccolto si divide e si festeggia insieme; chi viene dai servizi trova un "
            "gruppo stabile e un impegno settimanale."
        ),
        "target_groups": ["anziani", "disagio_psichico"],
        "needs": ["contrasto_solitudine", "percorsi_inclusione"],
        "capacity_total": 16,
        "capacity_unit": "posti",
        "location": _ADDR_ORTI,
        "schedule": "Martedì, giovedì e sabato 9:00-12:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o del centro di salute mentale; visita agli orti",
        "eligibility": "Anziani autosufficienti e adulti in percorsi di inclusione",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_ORTI,
        "title": "Laboratorio di giardinaggio inclusivo",
        "description": (
            "Piccolo gruppo di giovani con disabilità che impara a seminare, trapiantare e vendere piantine al "
            "mercatino del sabato in piazza. Un modo per conoscere il paese e farsi conoscere."
        ),
        "target_groups": ["disabilita"],
        "needs": ["attivita_inclusive", "vita_comunitaria"],
        "capacity_total": 8,
        "capacity_unit": "posti",
        "location": _ADDR_ORTI,
        "schedule": "Mercoledì 14:30-17:00; un sabato al mese al mercatino",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; incontro con la famiglia",
        "eligibility": "Giovani dai 16 ai 35 anni con disabilità intellettiva lieve o moderata",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    # --- Passo dopo Passo Cooperativa Sociale ------------------------------------------------------------------
    {
        "organization_cf": _CF_PASSO,
        "title": "Weekend di sollievo",
        "description": (
            "Un fine settimana al mese in un appartamento attrezzato, con educatori e volontari, per dare "
            "respiro alle famiglie e allenare l'autonomia dei ragazzi lontano da casa."
        ),
        "target_groups": ["disabilita"],
        "needs": ["sollievo_famiglie"],
        "capacity_total": 6,
        "capacity_unit": "posti",
        "location": "Appartamento di Via Vittorio Veneto 29, 50013 Campi Bisenzio (FI)",
        "schedule": "Un fine settimana al mese, dal sabato 10:00 alla domenica 18:00",
        "how_to_access": f"{_SERVIZIO_SOCIALE}; colloquio con la famiglia e periodo di conoscenza",
        "eligibility": "Giovani adulti con disabilità dai 18 ai 45 anni",
        "languages": ["it"],
        "cost": "Compartecipazione 20 euro a weekend in base all'ISEE",
    },
    {
        "organization_cf": _CF_PASSO,
        "title": "Centro diurno pomeridiano Il Cortile",
        "description": (
            "Pomeriggi di laboratori, cucina, uscite al bar, in biblioteca e al mercato, per vivere il paese e "
            "non restare chiusi in casa. Le famiglie hanno così alcune ore libere ogni settimana."
        ),
        "target_groups": ["disabilita"],
        "needs": ["sollievo_famiglie", "vita_comunitaria"],
        "capacity_total": 12,
        "capacity_unit": "posti",
        "location": _ADDR_PASSO,
        "schedule": "Dal lunedì al venerdì 14:30-18:30",
        "how_to_access": f"{_SERVIZIO_SOCIALE} d'intesa con l'Unità di valutazione multidimensionale",
        "eligibility": "Persone con disabilità dai 18 anni, dopo la scuola",
        "languages": ["it"],
        "cost": "Gratuito su progetto del Servizio sociale",
    },
    # --- Compagnia Teatrale Le Maschere ------------------------------------------------------------------------
    {
        "organization_cf": _CF_MASCHERE,
        "title": "Laboratorio di teatro sociale",
        "description": (
            "Un anno di laboratorio teatrale in un gruppo misto di attori, persone con disabilità e persone "
            "seguite dal centro di salute mentale. Si lavora su voce, corpo e racconto fino allo spettacolo "
            "di fine anno al teatro comunale."
        ),
        "target_groups": ["disabilita", "disagio_psichico"],
        "needs": ["sport_cultura_disabilita", "sport_cultura_disagio"],
        "capacity_total": 15,
        "capacity_unit": "posti",
        "location": _ADDR_MASCHERE,
        "schedule": "Giovedì 17:30-19:30, da ottobre a giugno",
        "how_to_access": f"{_SERVIZIO_SOCIALE} o dei servizi sanitari; incontro di prova",
        "eligibility": "Adulti dai 18 anni",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_MASCHERE,
        "title": "Teatro ragazzi del sabato",
        "description": (
            "Laboratorio di teatro e giochi di gruppo per ragazzi dagli 8 ai 13 anni, per stare insieme, "
            "sciogliere la timidezza e imparare a collaborare. A fine corso i ragazzi portano in scena una "
            "storia scritta da loro."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["attivita_educative"],
        "capacity_total": 20,
        "capacity_unit": "posti",
        "location": _ADDR_MASCHERE,
        "schedule": "Sabato 10:00-12:00",
        "how_to_access": "Iscrizione diretta; posti gratuiti su invio del Servizio sociale",
        "eligibility": "Ragazzi dagli 8 ai 13 anni",
        "languages": ["it"],
        "cost": "25 euro al mese (gratuito su invio del Servizio sociale)",
    },
    # --- Genitori in Rete --------------------------------------------------------------------------------------
    {
        "organization_cf": _CF_GENITORI,
        "title": "Gruppi di parola per genitori",
        "description": (
            "Gruppi di otto incontri, condotti da una psicologa, per genitori separati o alle prese con figli "
            "adolescenti. Si condividono esperienze e si cercano insieme risposte concrete."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["genitorialita"],
        "capacity_total": 12,
        "capacity_unit": "posti",
        "location": _ADDR_GENITORI,
        "schedule": "Lunedì 20:30-22:00",
        "how_to_access": "Iscrizione diretta o su invio del Servizio sociale; colloquio conoscitivo",
        "eligibility": "Genitori di figli minori",
        "languages": ["it"],
        "cost": "Gratuito",
    },
    {
        "organization_cf": _CF_GENITORI,
        "title": "Ludoteca del sabato",
        "description": (
            "Giochi da tavolo, letture animate e laboratori creativi per bambini dai 3 ai 10 anni, con i "
            "genitori presenti. È un luogo per conoscere altre famiglie del quartiere."
        ),
        "target_groups": ["infanzia_famiglie"],
        "needs": ["attivita_educative"],
        "capacity_total": 25,
        "capacity_unit": "posti",
        "location": _ADDR_GENITORI,
        "schedule": "Sabato 9:30-12:30",
        "how_to_access": "Accesso libero",
        "eligibility": "Bambini dai 3 ai 10 anni accompagnati da un adulto",
        "languages": ["it", "en"],
        "cost": "Gratuito",
    },
]

# --- Fase 2: patto di rete, zones of the offers, yearly verification ----------------------------------------------

# The demo pact runs from 1 January of the year the demo is loaded to 31 December two years later (three years).
PACT_TITLE = "Patto di rete Tessere – Reti di comunità"
PACT_TEXT = "\n".join(
    (
        "Premesse",
        (
            "Il Comune di Campi Bisenzio, con le linee operative del progetto Tessere «Reti di comunità», "
            "promuove un welfare di comunità generativo che mette in relazione il Servizio sociale professionale "
            "e le realtà del terzo settore del territorio. Le organizzazioni che hanno aderito alla "
            "manifestazione di interesse sottoscrivono il presente patto di rete."
        ),
        "",
        "Art. 1 – Oggetto",
        (
            "Il patto formalizza la rete territoriale Tessere e regola la collaborazione tra il Comune e le "
            "organizzazioni firmatarie per l'inclusione sociale delle persone e delle famiglie in condizione di "
            "fragilità."
        ),
        "",
        "Art. 2 – Durata",
        (
            "Il patto ha durata triennale dalla data di inizio indicata nella versione pubblicata. L'ufficio di "
            "piano avvia il rinnovo prima della scadenza."
        ),
        "",
        "Art. 3 – Impegni delle organizzazioni",
        "Le organizzazioni firmatarie si impegnano a:",
        (
            "a) pubblicare nel catalogo della rete le offerte che mettono a disposizione, quantificandone la "
            "disponibilità in posti o in ore;"
        ),
        "b) tenere aggiornati i dati delle offerte e confermarli almeno una volta all'anno;",
        ("c) rispondere agli invii del Servizio sociale entro cinque giorni e restituire l'esito degli interventi;"),
        (
            "d) trattare i dati delle persone inviate solo per il tempo e per le finalità dell'intervento, nel "
            "rispetto del Regolamento (UE) 2016/679."
        ),
        "",
        "Art. 4 – Impegni del Comune",
        "Il Comune si impegna a:",
        "a) coordinare la rete attraverso l'ufficio di piano e il Servizio sociale professionale;",
        "b) rendere pubblico il catalogo delle offerte, senza alcun dato personale;",
        "c) condividere con le organizzazioni solo le informazioni necessarie, con il consenso della persona;",
        "d) promuovere momenti periodici di incontro, formazione e valutazione della rete.",
        "",
        "Art. 5 – Catalogo delle offerte",
        (
            "Ogni offerta indica destinatari e bisogni, requisiti, sede, orari, lingue, costi, modalità di "
            "accesso e disponibilità. I posti riservati a persone accolte con un invio accettato non possono "
            "essere ridotti finché l'intervento non è concluso."
        ),
        "",
        "Art. 6 – Monitoraggio",
        (
            "Le organizzazioni partecipano al monitoraggio dell'utilizzo delle risorse e alla valutazione degli "
            "esiti previsti dalla fase 3 del progetto."
        ),
        "",
        "Art. 7 – Recesso",
        (
            "Ciascuna organizzazione può ritirare la propria firma in qualsiasi momento. Con il ritiro le sue "
            "offerte escono dal catalogo; gli interventi già avviati proseguono fino alla loro conclusione."
        ),
        "",
        "Art. 8 – Rinvio",
        (
            "Per quanto non previsto si rinvia alle linee operative del progetto Tessere e alla normativa "
            "vigente, in particolare al d.lgs. 117/2017 e alla legge regionale della Toscana 22 luglio 2020, n. "
            "65."
        ),
    )
)

# Members that have not signed yet (their operators see "Da firmare"; the manager sees them as missing).
PACT_NOT_SIGNED: tuple[str, ...] = (_CF_MASCHERE, _CF_GENITORI)
PACT_SIGNER_ROLE = "Referente per la rete Tessere, su delega del legale rappresentante"

# Zones served (codes of forms.offers.AREAS): each organization's offers take its zones, unless listed below.
ORGANIZATION_AREAS: dict[str, list[str]] = {
    _CF_GRANAIO: ["centro"],
    _CF_LA_TELA: ["zona_industriale"],
    _CF_SPAZIO_DONNA: ["tutto_il_comune"],
    _CF_PARROCCHIA: ["fornello"],
    _CF_CIRCOLO_PONTE: ["capalle"],
    _CF_POLISPORTIVA: ["centro", "san_martino"],
    _CF_COMPAGNI_STRADA: ["tutto_il_comune"],
    _CF_TESSITORI: ["san_martino", "palagetta"],
    _CF_MONDO_COMUNE: ["san_donnino"],
    _CF_FARO: ["tutto_il_comune"],
    _CF_RIPOSTIGLIO: ["il_rosi"],
    _CF_SOGLIA: ["centro"],
    _CF_ORTI: ["sant_angelo_a_lecore", "limite"],
    _CF_PASSO: ["centro", "san_piero_a_ponti"],
    _CF_MASCHERE: ["centro"],
    _CF_GENITORI: ["san_lorenzo"],
}
OFFER_AREAS: dict[str, list[str]] = {
    "Pacchi alimentari a domicilio per anziani soli": ["tutto_il_comune"],
    "Squadra del verde: borse lavoro": ["tutto_il_comune"],
    "Educativa per l'autonomia quotidiana": ["tutto_il_comune"],
    "Visite e telefonate amiche agli anziani soli": ["fornello", "san_martino", "centro"],
    "Gruppo di cammino Passi leggeri": ["san_lorenzo"],
}

# How many days ago each organization last confirmed its data ("confermo i dati"); None: never. Over 365 days the
# catalogue marks the data as to be updated.
VERIFIED_DAYS_AGO: dict[str, int | None] = {
    _CF_GRANAIO: 20,
    _CF_LA_TELA: 45,
    _CF_SPAZIO_DONNA: 60,
    _CF_PARROCCHIA: 90,
    _CF_CIRCOLO_PONTE: 400,
    _CF_POLISPORTIVA: 120,
    _CF_COMPAGNI_STRADA: 15,
    _CF_TESSITORI: 150,
    _CF_MONDO_COMUNE: 200,
    _CF_FARO: 30,
    _CF_RIPOSTIGLIO: 380,
    _CF_SOGLIA: 10,
    _CF_ORTI: 240,
    _CF_PASSO: 75,
    _CF_MASCHERE: None,
    _CF_GENITORI: 300,
}
